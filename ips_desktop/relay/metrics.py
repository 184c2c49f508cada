"""The relay's Prometheus metrics at ``/metrics``: counts and times only, never content.

Counters move where things happen (an envelope stored, ciphertext dropped, a request refused
or rate-limited, an alert message sent); gauges are read from the database when Prometheus
scrapes (envelopes waiting, messages pending and failing, open visits by state), so they are
true after a restart. Each app has its own registry (tests run several in one process). See
docs/architecture.md, "Running the relay".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .storage import RelayStorage

if TYPE_CHECKING:
    from .watchdog import Watchdog

# Seconds from a ladder step falling due to its message being taken by the mail server or SMS
# gateway: a few seconds normally; minutes mean retries.
LATENCY_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800)


class RelayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.stored = Counter("ips_relay_envelopes_stored", "Sealed envelopes taken from laptops", registry=r)
        self.dropped = Counter("ips_relay_envelopes_dropped", "Envelope ciphertexts dropped: verified by the "
                               "office, finished with, or expired at 30 days", ["reason"], registry=r)
        self.refused = Counter("ips_relay_requests_refused", "Requests refused, by HTTP status", ["status"],
                               registry=r)
        self.rate_limited = Counter("ips_relay_rate_limited", "Requests refused for going too fast, by route",
                                    ["route"], registry=r)
        self.sent = Counter("ips_relay_alert_messages_sent", "Overdue-ladder messages sent, by channel",
                            ["channel"], registry=r)
        self.send_failures = Counter("ips_relay_alert_message_failures", "Attempts to send a ladder message that "
                                     "failed (each is retried)", ["channel"], registry=r)
        self.latency = Histogram("ips_relay_ladder_latency_seconds", "From a ladder step falling due to its "
                                 "message being sent", buckets=LATENCY_BUCKETS, registry=r)

    def watch(self, storage: RelayStorage, watchdog: Watchdog | None) -> None:
        """Add the gauges read at scrape time."""
        self.registry.register(_Gauges(storage, watchdog))


class _Gauges(Collector):
    def __init__(self, storage: RelayStorage, watchdog: Watchdog | None) -> None:
        self.storage = storage
        self.watchdog = watchdog

    def collect(self) -> Iterator[Metric]:
        waiting, size = self.storage.waiting_totals()
        yield GaugeMetricFamily("ips_relay_envelopes_waiting", "Envelopes waiting for the office", value=waiting)
        yield GaugeMetricFamily("ips_relay_envelopes_waiting_bytes", "Bytes of envelopes waiting for the office",
                                value=size)
        if self.watchdog is None:
            return
        pending, failing = self.watchdog.undelivered(), self.watchdog.failing()[0]
        yield GaugeMetricFamily("ips_relay_deliveries_pending", "Ladder messages not yet sent", value=pending)
        yield GaugeMetricFamily("ips_relay_deliveries_failing", "Ladder messages that have failed and not gone "
                                "since", value=failing)
        states = GaugeMetricFamily("ips_relay_watches", "Visits being watched, by state", labels=["state"])
        for state, count in sorted(self.watchdog.open_states().items()):
            states.add_metric([state], count)
        yield states
        ticked = self.watchdog.last_tick
        yield GaugeMetricFamily("ips_relay_ladder_tick_age_seconds", "Seconds since the overdue ladder last "
                                    "ran", value=-1 if ticked is None else time.monotonic() - ticked)
