"""Two Lumen instances behind nginx (Debian's package) on loopback, sharing PostgreSQL and Redis.

The performance issue's horizontal-scale check, as the deployment guide (docs/deploy.md) sets it
up: a session made on one instance is honoured (and ended) on the other, a JWT issued by one is
accepted and rotated by the other, the API rate limit counts requests through nginx to both as
one, and a notification raised through one instance reaches sockets held by the other, directly
and through nginx's WebSocket proxy. nginx's access log names the upstream of every request, so
the test also proves that both instances served traffic.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from allauth.account.models import EmailAddress
from asgiref.sync import async_to_sync
from django.conf import settings
from websockets.asyncio.client import connect

from accounts.tests.factories import DEFAULT_PASSWORD
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)
from tests.integration.servers import (
    _stop,
    _wait_until,
    current_database_url,
    free_port,
    lumen_servers,
    redis_url_for_test,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The deployment guide's proxy settings, on loopback and without TLS.
NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstream '$upstream_addr $status $request_method $request_uri';
    access_log {dir}/nginx-access.log upstream;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream lumen_http {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; keepalive 8; }}
    upstream lumen_ws {{ server 127.0.0.1:{ws_a}; server 127.0.0.1:{ws_b}; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 6m;
        location /ws/ {{
            proxy_pass http://lumen_ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $http_host;
            proxy_read_timeout 1h;
        }}
        location = /api/v1/ai/study-buddy {{
            proxy_pass http://lumen_ws;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Request-ID $request_id;
            proxy_buffering off;
            proxy_read_timeout 5m;
        }}
        location / {{
            proxy_pass http://lumen_http;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


def _server_environment(redis_url: str, prefix: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The instances run on the default rates and this test's own database and Redis.
        if not key.startswith(("API_THROTTLE_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=current_database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SECRET=settings.SIMPLE_JWT["SIGNING_KEY"],
        CACHE_KEY_PREFIX=prefix,
        MFA_REQUIRED_FOR_STAFF="False",
        LOG_LEVEL="WARNING",
    )
    return env


class Nginx:
    def __init__(self, directory: Path, http_ports: list[int], ws_ports: list[int]) -> None:
        if not Path(NGINX).exists():
            raise RuntimeError("This test needs Debian's nginx: apt-get install nginx-light")
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = directory / "nginx.conf"
        (a, b), (ws_a, ws_b) = http_ports, ws_ports
        self.config.write_text(
            NGINX_CONF.format(dir=directory, a=a, b=b, ws_a=ws_a, ws_b=ws_b, port=self.port)
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Nginx:
        log_path = self.directory / "nginx-error.log"
        log_path.touch()
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.directory), "-c", str(self.config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=log_path.open("ab"),
        )
        _wait_until(self._answers, self.process, "nginx", log_path)
        return self

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            _stop(self.process)

    def upstreams(self) -> Counter[str]:
        """How many requests each upstream served, from nginx's access log."""
        lines = (self.directory / "nginx-access.log").read_text().splitlines()
        return Counter(line.split(" ", 1)[0] for line in lines)


def _log_in_with_the_form(base: str, email: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        page = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, page.text[:500]
        response = browser.post(
            "/accounts/login/",
            data={"login": email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token[1]},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        assert response.status_code == 302, response.text[:500]
        assert "sessionid" in browser.cookies
        return browser.cookies


async def _next(socket: Any, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


def test_sessions_tokens_rate_limits_and_live_notifications_work_across_two_instances(
    tmp_path: Path,
) -> None:
    learner = StudentFactory(display_name="Ada Across")
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    EnrollmentFactory(course=course, learner=learner)
    prefix = f"lumen-two-{uuid.uuid4().hex[:12]}"

    with redis_url_for_test(tmp_path) as redis_url:
        environment = _server_environment(redis_url, prefix)
        with (
            lumen_servers(2, environment, tmp_path, process="web") as ports,
            lumen_servers(2, environment, tmp_path, process="ws") as ws_ports,
            Nginx(tmp_path, ports, ws_ports) as proxy,
        ):
            a, b = (f"http://127.0.0.1:{port}" for port in ports)

            # Sessions: signed in through A, recognised by B; signed out on B, gone on A too.
            cookies = _log_in_with_the_form(a, learner.email)
            dashboard = httpx.get(f"{b}/dashboard/", cookies=cookies)
            assert dashboard.status_code == 200
            assert "Ada Across" in dashboard.text
            logout_page = httpx.get(f"{b}/accounts/logout/", cookies=cookies)
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout_page.text)
            assert csrf is not None
            signed_out = httpx.post(
                f"{b}/accounts/logout/",
                cookies=cookies,
                data={"csrfmiddlewaretoken": csrf[1]},
                headers={"Referer": f"{b}/accounts/logout/"},
            )
            assert signed_out.status_code == 302
            assert httpx.get(f"{a}/dashboard/", cookies=cookies).status_code == 302

            # JWTs: issued by A, accepted by B; rotated on B, so A refuses the old refresh token.
            pair = httpx.post(
                f"{a}/api/v1/auth/login",
                json={"email": learner.email, "password": DEFAULT_PASSWORD},
            ).json()
            window_opened = time.monotonic()  # the user's rate-limit window opens with this call
            profile = httpx.get(
                f"{b}/api/v1/users/profile", headers={"Authorization": f"Bearer {pair['access']}"}
            )
            assert profile.status_code == 200
            assert profile.json()["email"] == learner.email
            rotated = httpx.post(f"{b}/api/v1/auth/refresh", json={"refresh": pair["refresh"]})
            assert rotated.status_code == 200
            reused = httpx.post(f"{a}/api/v1/auth/refresh", json={"refresh": pair["refresh"]})
            assert reused.status_code == 401

            # Rate limits: 110 requests through nginx, spread over both instances, 100 pass.
            access = rotated.json()["access"]
            before = proxy.upstreams()

            def call(_: int) -> int:
                response = httpx.get(
                    f"{proxy.url}/api/v1/users/profile",
                    headers={"Authorization": f"Bearer {access}"},
                    timeout=30,
                )
                return response.status_code

            with ThreadPoolExecutor(max_workers=10) as pool:
                statuses = Counter(pool.map(call, range(110)))
            elapsed = time.monotonic() - window_opened
            assert elapsed < 50, f"the calls took {elapsed:.0f}s; they must fit in one 60s window"
            # (the profile call above on B counted too: one of the 100 was spent)
            assert statuses == {200: 99, 429: 11}
            served = proxy.upstreams() - before
            assert set(served) == {f"127.0.0.1:{port}" for port in ports}
            assert min(served.values()) >= 40, served

            # The study buddy's event stream is served by the WebSocket (ASGI) processes, where
            # a slow answer holds no HTTP worker: nginx routes it there.
            before = proxy.upstreams()
            refused = httpx.post(f"{proxy.url}/api/v1/ai/study-buddy", json={}, timeout=30)
            assert refused.status_code == 401
            assert set(proxy.upstreams() - before) <= {f"127.0.0.1:{port}" for port in ws_ports}
            assert sum((proxy.upstreams() - before).values()) == 1

            # Live notifications: an announcement posted through A reaches the learner's sockets on
            # B (held directly) and behind nginx (whichever instance nginx chose).
            instructor_access = httpx.post(
                f"{a}/api/v1/auth/login",
                json={"email": instructor.email, "password": DEFAULT_PASSWORD},
            ).json()["access"]
            learner_access = httpx.post(
                f"{a}/api/v1/auth/login",
                json={"email": learner.email, "password": DEFAULT_PASSWORD},
            ).json()["access"]

            async def scenario() -> list[dict]:
                direct = connect(
                    f"ws://127.0.0.1:{ws_ports[1]}/ws/notifications/",
                    origin=b,
                    subprotocols=["lumen.jwt", learner_access],
                )
                proxied = connect(
                    f"ws://127.0.0.1:{proxy.port}/ws/notifications/",
                    origin=proxy.url,
                    subprotocols=["lumen.jwt", learner_access],
                )
                async with direct as on_b, proxied as via_nginx:
                    await _next(on_b)  # each socket opens with the unread count
                    await _next(via_nginx)
                    loop = asyncio.get_running_loop()
                    response = await loop.run_in_executor(
                        None,
                        lambda: httpx.post(
                            f"{a}/api/v1/courses/{course.pk}/announcements",
                            headers={"Authorization": f"Bearer {instructor_access}"},
                            json={"title": "Exam moved to Friday"},
                            timeout=30,
                        ),
                    )
                    assert response.status_code == 202, response.text
                    return [await _next(on_b), await _next(via_nginx)]

            received = async_to_sync(scenario)()

    for message in received:
        assert message["type"] == "notification"
        assert message["notification"]["title"] == "Exam moved to Friday"
        assert message["notification"]["kind"] == "announcement"
