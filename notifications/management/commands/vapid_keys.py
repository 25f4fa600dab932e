"""Print a new VAPID key pair for web push, as the environment takes it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications import webpush_client


class Command(BaseCommand):
    help = "Print a new VAPID key pair (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY) for web push."

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = webpush_client.vapid_key_pair()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n")
