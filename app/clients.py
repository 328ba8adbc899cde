"""Who a client is, for every per-client limit (rate, connections, export slots)."""

import ipaddress


def client_key(address: str) -> str:
    """The bucket of a client address: IPv4 per address, IPv6 per /64 (one subscriber's prefix:
    an attacker holding a /64 could otherwise take a fresh bucket per address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # a Unix socket path, or the test client's name
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
