"""Open-loop load: updates arrive at a fixed rate whether or not the bot has answered
(as people do), a mix of kinds; latency per kind from the update's arrival at the Bot API
server to the bot's first message to that chat arriving there.

Each kind has a pool of people; the next message of a kind goes to the person of that pool who
has waited longest for nothing (so one person rarely has two messages in flight; when everyone
of a pool is still waiting, the message is sent anyway and counted as "overlapped"). A reply is
matched to the oldest unanswered message of its chat; further messages of one answer are not
counted. Errors: a reply saying something went wrong or the database is not answering, a Bot
API call the server refused, or no reply within the drain time after the last send.
"""
from __future__ import annotations

import random
import statistics
import threading
import time
from collections import defaultdict, deque

from .mix import Mix, Picker, text_message

REPLY_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
ERROR_WORDS = ("something went wrong", "database is not answering")
KINDS = ("text", "pick", "photo")
DEFAULT_SHARES = {"text": 0.5, "pick": 0.4, "photo": 0.1}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    v = sorted(values)
    q = statistics.quantiles(v, n=100, method="inclusive") if len(v) > 1 else [v[0]] * 99
    return {"n": len(v), "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000, "max": v[-1] * 1000}


class OpenLoop:
    def __init__(self, server, mix: Mix, *, rate: float, seconds: float, shares: dict[str, float] | None = None,
                 poisson: bool = True, seed: int = 1, echo: bool = False):
        self.server, self.mix, self.rate, self.seconds = server, mix, rate, seconds
        self.shares = shares or DEFAULT_SHARES
        self.poisson, self.rnd, self.echo = poisson, random.Random(seed), echo
        self.pending: dict[int, deque] = defaultdict(deque)  # chat -> [sent_at, kind]
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {k: [] for k in KINDS}
        self.errors: dict[str, int] = defaultdict(int)
        self.not_understood = 0
        self.samples: dict[str, list[str]] = defaultdict(list)  # a few replies per kind, to show what was answered
        self.sent: dict[str, int] = defaultdict(int)
        self.overlapped = 0
        self.pickers = {u: Picker(mix.pick_orders.get(u, [])) for u in mix.pick_users}
        self.pools = {"text": deque(mix.text_users), "pick": deque(mix.pick_users), "photo": deque(mix.photo_users)}
        self.kind_of = {u: k for k, pool in self.pools.items() for u in pool}
        self._stop = threading.Event()
        self._cursor = 0

    # ------------------------------------------------------------------ replies
    def _collect(self) -> None:
        while True:
            with self.server._cond:
                self.server._cond.wait(0.02)
            calls = self.server._calls.all()
            new, self._cursor = calls[self._cursor:], len(calls)
            for call in new:
                if call.method not in REPLY_METHODS:
                    continue
                with self.lock:
                    waiting = self.pending.get(call.chat_id)
                    if not waiting:
                        continue  # a second message of one answer
                    sent_at, kind = waiting.popleft()
                text = call.text or ""
                if not call.ok or any(w in text for w in ERROR_WORDS):
                    self.errors[kind] += 1
                else:
                    self.latency[kind].append(call.at - sent_at)
                    if len(self.samples[kind]) < 40:
                        self.samples[kind].append(text)
                    if "didn't understand" in text:
                        self.not_understood += 1
                if kind == "pick" and call.chat_id in self.pickers and not self.echo:
                    self.pickers[call.chat_id].heard(text)
            if self._stop.is_set() and not new:
                return

    # ------------------------------------------------------------------ sending
    def _who(self, kind: str) -> int:
        pool = self.pools[kind]
        with self.lock:
            for _ in range(len(pool)):
                uid = pool[0]
                pool.rotate(-1)
                if not self.pending.get(uid):
                    return uid
            self.overlapped += 1
            uid = pool[0]
            pool.rotate(-1)
            return uid

    def send(self, kind: str, uid: int | None = None) -> None:
        uid = uid if uid is not None else self._who(kind)
        entry = [time.time(), kind]
        with self.lock:
            self.pending[uid].append(entry)
        self.sent[kind] += 1
        name = f"U{uid}"
        if kind == "text":
            self.server.send_text(uid, text_message(self.rnd, self.mix), first_name=name)
        elif kind == "pick":
            self.server.send_text(uid, self.pickers[uid].next, first_name=name)
        else:
            self.server.send_photo(uid, self.rnd.choice(self.mix.photos), first_name=name)
        # The update is queued at the very end of send_*: the clock starts there, not before the test
        # server has stored the photo's sizes (tens of ms that are the harness's, not the bot's).
        entry[0] = time.time()

    def warm_up(self, timeout: float = 120) -> None:
        """One message per person, waited for, not measured (pickers open their first order)."""
        for kind, pool in self.pools.items():
            for uid in pool:
                self.send(kind, uid)
        deadline = time.monotonic() + timeout
        while any(self.pending.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        for k in KINDS:
            self.latency[k].clear()
        self.errors.clear()
        self.sent.clear()
        self.not_understood = self.overlapped = 0
        self.samples.clear()

    def run(self, drain_s: float = 15) -> dict:
        collector = threading.Thread(target=self._collect, daemon=True)
        collector.start()
        self.warm_up()
        kinds, weights = zip(*[(k, self.shares[k]) for k in KINDS if self.shares.get(k) and self.pools[k]])
        started = time.monotonic()
        next_at, n = started, 0
        while next_at < started + self.seconds:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.send(self.rnd.choices(kinds, weights)[0])
            n += 1
            next_at += self.rnd.expovariate(self.rate) if self.poisson else 1 / self.rate
        send_span = time.monotonic() - started
        late = max(0.0, time.monotonic() - next_at)  # how far the sender itself fell behind the schedule
        deadline = time.monotonic() + drain_s
        while any(self.pending.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        self._stop.set()
        collector.join(5)
        with self.lock:
            lost = defaultdict(int)
            for q in self.pending.values():
                for _, kind in q:
                    lost[kind] += 1
        answered = sum(len(v) for v in self.latency.values())
        return {
            "sent": dict(self.sent), "offered_per_s": n / send_span, "sender_late_s": late,
            "answered_per_s": answered / elapsed, "seconds": send_span,
            "kinds": {k: {**percentiles(self.latency[k]), "errors": self.errors[k], "lost": lost[k]} for k in KINDS},
            "errors": sum(self.errors.values()) + sum(lost.values()), "not_understood": self.not_understood,
            "overlapped": self.overlapped, "samples": {k: v[-3:] for k, v in self.samples.items()},
        }


TARGETS_MS = {"text": 50.0, "pick": 50.0, "photo": 200.0}
MIN_SECONDS, MIN_PER_KIND = 30.0, 100


def judge(result: dict) -> list[str]:
    """Target lines; a run too short (or too few replies of a kind) is not judged."""
    lines = []
    if result["seconds"] < MIN_SECONDS:
        return [f"targets not judged: the run sent for {result['seconds']:.0f} s (< {MIN_SECONDS:.0f} s)"]
    for kind, target in TARGETS_MS.items():
        k = result["kinds"][kind]
        if k["n"] < MIN_PER_KIND:
            lines.append(f"  {kind:<5} p95 <= {target:.0f} ms: not judged ({k['n']} replies < {MIN_PER_KIND})")
        else:
            lines.append(f"  {kind:<5} p95 <= {target:.0f} ms: {'met' if k['p95'] <= target else 'NOT met'} ({k['p95']:.0f} ms)")
    lines.append(f"  0 errors: {'met' if result['errors'] == 0 else 'NOT met'} ({result['errors']})")
    return lines


def report(label: str, r: dict, samples: bool = False) -> str:
    out = [f"{label}: offered {r['offered_per_s']:.1f}/s for {r['seconds']:.0f} s, answered {r['answered_per_s']:.1f}/s, "
           f"errors {r['errors']}, overlapped {r['overlapped']}, sender late {r['sender_late_s'] * 1000:.0f} ms"
           + (f", not understood {r['not_understood']}" if r["not_understood"] else "")]
    for kind in KINDS:
        k = r["kinds"][kind]
        if k["n"]:
            out.append(f"  {kind:<5} n={k['n']:<5} p50 {k['p50']:7.1f}  p95 {k['p95']:7.1f}  p99 {k['p99']:7.1f}  max {k['max']:7.1f} ms"
                       f"  errors {k['errors']} lost {k['lost']}")
        else:
            out.append(f"  {kind:<5} no replies (errors {k['errors']} lost {k['lost']})")
    if samples:
        for kind, texts in r["samples"].items():
            out += [f"    {kind} reply: " + t.replace("\n", " | ")[:150] for t in texts]
    return "\n".join(out)
