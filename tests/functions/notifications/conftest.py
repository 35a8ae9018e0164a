"""Fixtures the notification event functions' tests share: the channel queues and the signing key in the
emulator (notify_calls.channel_queues), and a catalog company whose test accounts leave it afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from functions.notifications.notify_calls import Channels, channel_queues, forget_members
from functions.partnership_calls import catalog_companies


@pytest.fixture(scope="module")
def channels(aws_endpoint: str) -> Iterator[Channels]:
    with channel_queues(aws_endpoint) as found:
        yield found


@pytest.fixture(scope="module")
def company(postgres_url: str) -> Iterator[str]:
    with catalog_companies(postgres_url, ("ecommerce", "store_builder")) as (found,):
        yield str(found["id"])
        forget_members(postgres_url, str(found["id"]))
