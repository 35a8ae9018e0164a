"""The deployed local cloud, started through the CLI exactly as a user would, in a private state folder.

Two clouds never run at once (they would fight over this machine's two cores), and each start costs
three to four minutes (73 functions warmed), so there are two:

* `embedded` is one embedded cloud for every module on that profile (partnerships, discoveries,
  notifications, companies, identity, and the slice's own checks last): each adds its own data, with
  fresh accounts and companies, so none depends on a fresh cloud. It is deployed with a discovery
  review window of REVIEW_TIMEOUT_S (7 days by default), so a run can expire within a test, and a
  notification retry base of 1 s. test_embedded_cloud ends by killing a part and running `down`: it
  runs last of them (ORDER), and the cloud is stopped as soon as the next module does not use it.
* `full` gives its module a cloud of the full profile (Kafka, OpenSearch), whose tests crash a consumer.

While iterating on one module, `ALGOARTS_E2E_REUSE_EMBEDDED=<state dir>` makes every embedded cloud that
running one (started with `ALGOARTS_STATE=<dir> algoarts local up` and the environment `shared_embedded` sets),
which is then left running; CI never sets it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import httpx
import pytest

from e2e_cloud import Cloud, run_cli
from localcloud.runtime import CloudState

REVIEW_TIMEOUT_S = 25
CLOUD_START_TIMEOUT_S = 600  # per test, its fixtures' set-up included (pyproject's default is 300)

# Module order: the embedded cloud's users (companies late: its poison-event test leaves cold workers
# behind; the slice's checks last: they kill a part and stop the cloud), then the full profile.
ORDER = (
    "test_partnerships_cloud",
    "test_discovery_cloud",
    "test_notifications_cloud",
    "test_identity_cloud",
    "test_companies_cloud",
    "test_embedded_cloud",
    "test_full_cloud",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.module.__name__ if item.module else ""  # type: ignore[attr-defined]
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=rank)  # stable: the order within a module is kept
    for item in items:
        # A module's first test also pays for its cloud's start (73 functions warmed: ~3.5 min on 2 cores).
        item.add_marker(pytest.mark.timeout(CLOUD_START_TIMEOUT_S))


def _start(
    tmp_path_factory: pytest.TempPathFactory, profile: str, env: dict[str, str] | None = None
) -> Generator[Cloud]:
    if reuse := os.environ.get("ALGOARTS_E2E_REUSE_EMBEDDED"):  # iterating on one module: a cloud kept running
        state = CloudState.load(Path(reuse))
        assert state is not None and profile == "embedded", f"no embedded cloud in {reuse}"
        with httpx.Client(base_url=state.api_url, timeout=30) as client:
            yield Cloud(Path(reuse), state, client)
        return
    state_dir = tmp_path_factory.mktemp(f"cloud-{profile}")
    try:
        up = run_cli(state_dir, "local", "up", "--profile", profile, env=env)
        assert "API: http://127.0.0.1:" in up.stdout
        state = CloudState.load(state_dir)
        assert state is not None
        with httpx.Client(base_url=state.api_url, timeout=30) as client:
            yield Cloud(state_dir, state, client)
    finally:
        run_cli(state_dir, "local", "down", check=False)


_stop_shared: list[Callable[[], None]] = []


@pytest.fixture(scope="session")
def shared_embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    env = {
        "ALGOARTS_LOCAL_REVIEW_TIMEOUT_SECONDS": str(REVIEW_TIMEOUT_S),
        "ALGOARTS_LOCAL_NOTIFICATION_RETRY_SECONDS": "1",
    }
    cloud = _start(tmp_path_factory, "embedded", env)
    _stop_shared.append(cloud.close)
    yield next(cloud)
    cloud.close()


@pytest.fixture(scope="module", autouse=True)
def _stop_the_shared_cloud_before_a_module_without_it(request: pytest.FixtureRequest) -> None:
    module_items = [i for i in request.session.items if i.module is request.module]  # type: ignore[attr-defined]
    if _stop_shared and not any("shared_embedded" in i.fixturenames for i in module_items):  # type: ignore[attr-defined]
        _stop_shared.pop()()


@pytest.fixture(scope="module")
def embedded(shared_embedded: Cloud) -> Cloud:
    """The embedded cloud every module on that profile shares."""
    return shared_embedded


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    yield from _start(tmp_path_factory, "full")
