"""The read model: public documents and posting lists derived by the seed from the rows."""
