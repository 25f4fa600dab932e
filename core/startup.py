"""What an app server's worker does once, after loading the application and before serving.

`warm_and_freeze()` (called at the end of lms/asgi.py and lms/wsgi.py) imports the whole URLconf,
and with it every view, form and serializer module, which would otherwise load on the first
request that needs each; then `gc.freeze()` moves every object alive at that point (about 200,000:
modules, classes, settings, URL patterns) to the permanent generation. Python's cyclic collector
walks every tracked object on each full collection; without the freeze each full collection
walked those 200,000 too, a pause of tens of milliseconds charged to whichever request was
running. Frozen objects are never collected, which is right for what lives as long as the process;
`GC_FREEZE=False` turns it off (to measure the difference, or to debug a leak).
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver


def warm_and_freeze() -> bool:
    """Load the URLconf and freeze what is alive; True if it froze (settings.GC_FREEZE)."""
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    if not settings.GC_FREEZE:
        return False
    gc.collect()  # what is already garbage is not frozen with the rest
    gc.freeze()
    return True
