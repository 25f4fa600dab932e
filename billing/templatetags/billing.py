from django import template

register = template.Library()

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


@register.filter
def money(cents: int | None, currency: str = "usd") -> str:
    """1900, "usd" -> "$19.00"; other currencies get their code: "19.00 CHF"."""
    amount = f"{(cents or 0) / 100:,.2f}"
    symbol = _SYMBOLS.get((currency or "usd").lower())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"
