"""Schemathesis checks for cis-scan (loaded through SCHEMATHESIS_HOOKS=schemathesis_hooks).

Schemathesis' own `not_a_server_error` counts every GraphQL execution error as a server
error, NOT_FOUND and BAD_USER_INPUT included: those are the right answers to random
input. These checks say what a server bug is here instead:

- no_5xx: the HTTP status is below 500;
- no_internal_error: no error has extensions.code INTERNAL, and every execution error
  (one with a `path`) has an extensions.code (validation errors are the library's own).
"""
import json

import schemathesis


@schemathesis.check
def no_5xx(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    return None


@schemathesis.check
def no_internal_error(ctx, response, case):
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError("the answer is not JSON")
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        error = error or {}
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL":
            raise AssertionError(f"INTERNAL error: {error.get('message')}")
        if code is None and error.get("path"):
            raise AssertionError(f"execution error without extensions.code: {error.get('message')}")
    return None
