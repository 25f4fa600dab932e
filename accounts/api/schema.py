"""OpenAPI: document Lumen's JWT authentication as the bearer scheme it is (imported by views)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class LumenJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.LumenJWTAuthentication"
    name = "jwtAuth"
