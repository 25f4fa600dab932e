"""Page-number pagination with `count`, `next`, `previous`, `results` and a capped page size."""

from typing import Any

from rest_framework import pagination, serializers


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Any) -> int | None:
        """A page size that is not a whole number from 1 is refused (400), not ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        for value in values:
            if not value.isdigit() or int(value) < 1:
                message = f"A whole number from 1 to {self.max_page_size}."
                raise serializers.ValidationError({self.page_size_query_param: [message]})
        return super().get_page_size(request)
