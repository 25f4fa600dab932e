"""JWT authentication for the API (simplejwt), with Lumen's extra checks.

simplejwt already refuses tokens of inactive users (CHECK_USER_IS_ACTIVE) and, with
CHECK_REVOKE_TOKEN, tokens issued before the password last changed. This class exists so the
OpenAPI schema and every API view name one authentication scheme of ours.
"""

from rest_framework_simplejwt.authentication import JWTAuthentication


class LumenJWTAuthentication(JWTAuthentication):
    www_authenticate_realm = "lumen-api"
