"""Every installed keccak backend gives the same, standard digests."""

from __future__ import annotations

import pytest

from communis.engine import keccak as keccak_module

pytestmark = pytest.mark.offchain

# keccak256 test vectors (the empty string is Ethereum's well-known empty-code hash).
VECTORS = {
    b"": "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    b"abc": "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    b"\x00" * 64: "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5",
}


@pytest.mark.parametrize("name", sorted(keccak_module.available_backends()))
def test_backend_matches_the_test_vectors(name: str) -> None:
    digest = keccak_module.available_backends()[name]
    for data, expected in VECTORS.items():
        assert digest(data).hex() == expected


def test_the_fastest_installed_backend_is_used() -> None:
    installed = list(keccak_module.available_backends())
    assert installed[0] == keccak_module.BACKEND
    assert keccak_module.BACKEND == "tiny-keccak"  # a declared dependency
