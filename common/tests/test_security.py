import time

import pytest

from quest_common.security import InvalidTokenError, JwksVerifier
from quest_devtools.testing.tokens import JwksServer, TestKeys, forge_unsigned


def make_verifier(server: JwksServer, keys: TestKeys) -> JwksVerifier:
    return JwksVerifier(jwks_url=server.url, issuer=keys.issuer, audience=keys.audience)


def test_valid_token_is_accepted(jwks_server: JwksServer, test_keys: TestKeys) -> None:
    claims = make_verifier(jwks_server, test_keys).verify(test_keys.mint(sub="abc", role="admin"))
    assert claims.sub == "abc"
    assert claims.is_admin


@pytest.mark.parametrize(
    "token_kind",
    [
        "alg_none",
        "other_key_same_kid",
        "unknown_kid",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "garbage",
    ],
)
def test_bad_tokens_are_refused(
    jwks_server: JwksServer, test_keys: TestKeys, token_kind: str
) -> None:
    other = TestKeys()
    now = int(time.time())
    tokens = {
        "alg_none": forge_unsigned(
            {
                "sub": "x",
                "iss": test_keys.issuer,
                "aud": test_keys.audience,
                "iat": now,
                "exp": now + 60,
                "role": "admin",
            },
            kid=test_keys.kid,
        ),
        "other_key_same_kid": other.mint(kid=test_keys.kid),
        "unknown_kid": other.mint(),
        "expired": test_keys.mint(expires_in=-120),
        "wrong_audience": test_keys.mint(audience="someone-else"),
        "wrong_issuer": test_keys.mint(issuer="evil"),
        "garbage": "not.a.token",
    }
    with pytest.raises(InvalidTokenError):
        make_verifier(jwks_server, test_keys).verify(tokens[token_kind])


def test_rotated_key_is_picked_up_and_known_keys_survive_an_outage(test_keys: TestKeys) -> None:
    server = JwksServer(test_keys)
    verifier = JwksVerifier(
        jwks_url=server.url,
        issuer=test_keys.issuer,
        audience=test_keys.audience,
        min_refetch_seconds=0,
    )
    assert verifier.verify(test_keys.mint()).sub
    new_key = TestKeys()
    server.keys.append(new_key)  # published before it signs
    assert verifier.verify(new_key.mint(sub="rotated")).sub == "rotated"
    server.close()  # auth unreachable: the cached keys still verify
    assert verifier.verify(test_keys.mint(sub="still")).sub == "still"
