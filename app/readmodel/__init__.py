"""The read model: public documents and posting lists derived by the seed from the rows.

contract.py names what it is made of, derive.py (with render.py and flatten.py) computes it,
write.py writes it; the services read it by the contract's names.
"""
