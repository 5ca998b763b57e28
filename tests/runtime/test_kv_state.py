"""The KV store, the state store and their tasks (runtime/kvstore.py, runtime/tasks/kv.py,
runtime/tasks/state.py), against real stores on disk."""
from __future__ import annotations

import json
import multiprocessing
import re
import tempfile
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from runtime.kvstore import (
    KVExpired,
    KVKeyExists,
    KVStore,
    KVStoreError,
    StateStore,
    lookup_for_expression,
    merge_maps,
    murmur3_128_hex,
    slugify,
)
from runtime.pebble.values import Instant, Int32
from runtime.storage import Storage
from runtime.task import RunIds, TaskFailed, TaskLogger, TaskRunContext
from runtime.tasks import kv as kv_tasks
from runtime.tasks import state as state_tasks

NS = "company.team"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    """An injectable clock that only moves when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> KVStore:
    return KVStore(tmp_path / "kv", clock)


def make_ctx(tmp_path: Path, props: dict, store: KVStore, *, flow_id="my-flow", value=None) -> TaskRunContext:
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    return TaskRunContext(
        props=props,
        logger=TaskLogger(lambda level, message: None),
        storage=Storage(tmp_path / "runs"),
        workdir=workdir,
        ids=RunIds(NS, flow_id, "exec1", "task1", "taskrun1", value),
        services=SimpleNamespace(kv_store=store, state_store=StateStore(store)),
    )


def same(a, b) -> bool:
    """Equal, with the same kinds of values all the way down (True is not 1, 1 is not 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return isinstance(b, float) and a == b
    if isinstance(a, int):
        return isinstance(b, int) and not isinstance(b, float) and a == b
    return a == b


# ---------------------------------------------------------------------- KVStore


def test_values_keep_their_types(store):
    values = {
        "s": "hello",
        "i": 42,
        "big": 2**40,
        "f": 3.5,
        "b": False,
        "m": {"a": [1, "x", None], "b": {"c": True}},
        "l": [1, 2.0, "three"],
        "n": None,
    }
    for key, value in values.items():
        store.set(NS, key, value)
    for key, value in values.items():
        assert same(store.get(NS, key), value), key
    assert isinstance(store.get(NS, "i"), Int32)
    assert not isinstance(store.get(NS, "big"), Int32)  # a Long in Kestra


def test_dates_and_durations_come_back_typed(store):
    moment = datetime(2024, 1, 31, 10, 15, 30, 123456, tzinfo=timezone(timedelta(hours=2)))
    store.set(NS, "when", moment)
    store.set(NS, "day", date(2024, 2, 29))
    store.set(NS, "wait", timedelta(hours=1, minutes=30, microseconds=5))
    when = store.get(NS, "when")
    assert isinstance(when, Instant) and when == moment and when.utcoffset() == timedelta(0)
    assert store.get(NS, "day") == date(2024, 2, 29)
    assert store.get(NS, "wait") == timedelta(hours=1, minutes=30, microseconds=5)
    assert store.entry(NS, "when").type == "DATETIME"
    assert store.entry(NS, "day").type == "DATE"
    assert store.entry(NS, "wait").type == "DURATION"


def test_a_string_shaped_like_a_duration_reads_back_as_a_duration(store):
    # InternalKVStore.getValue's DURATION_PATTERN
    store.set(NS, "d", "PT5M")
    store.set(NS, "not", "PT5M ago")
    assert store.get(NS, "d") == timedelta(minutes=5)
    assert store.get(NS, "not") == "PT5M ago"


def test_missing_keys_and_delete(store):
    assert store.get(NS, "nope") is None
    assert store.entry(NS, "nope") is None
    assert store.delete(NS, "nope") is False
    store.set(NS, "k", "v")
    assert store.delete(NS, "k") is True
    assert store.get(NS, "k") is None
    assert store.keys(NS) == []


def test_keys_are_sorted_filtered_by_prefix_and_per_namespace(store):
    for key in ("b.two", "a_one", "b-three", "c"):
        store.set(NS, key, 1)
    store.set("other", "b.other", 1)
    assert store.keys(NS) == ["a_one", "b-three", "b.two", "c"]
    assert store.keys(NS, "b") == ["b-three", "b.two"]
    assert store.keys(NS, "zzz") == []
    assert store.keys("other") == ["b.other"]
    assert store.keys("empty.namespace") == []


@pytest.mark.parametrize("key", ["", None])
def test_empty_keys_are_refused(store, key):
    with pytest.raises(KVStoreError, match="Key cannot be null or empty"):
        store.set(NS, key, 1)


@pytest.mark.parametrize("key", ["-start", ".hidden", "has space", "a/b", "../up", "é", "a:b"])
def test_invalid_keys_are_refused_with_kestras_rule(store, key):
    with pytest.raises(KVStoreError, match="Key must start with an alphanumeric character"):
        store.set(NS, key, 1)
    with pytest.raises(KVStoreError, match="Key must start"):
        store.get(NS, key)


@pytest.mark.parametrize("namespace", ["", "..", "Upper", "a/b", "../x", None])
def test_invalid_namespaces_are_refused(store, namespace):
    with pytest.raises(KVStoreError, match="Invalid namespace"):
        store.set(namespace, "k", 1)


def test_ttl_expiry_with_an_injected_clock(store, clock):
    store.set(NS, "short", "v", ttl=timedelta(minutes=10))
    store.set(NS, "forever", "v")
    clock.advance(minutes=9)
    assert store.get(NS, "short") == "v"
    assert store.keys(NS) == ["forever", "short"]
    clock.advance(minutes=2)
    assert store.keys(NS) == ["forever"]
    assert store.exists(NS, "short") is False
    # Kestra deletes an expired entry when it is read and fails that read
    with pytest.raises(KVExpired, match="The requested value has expired"):
        store.get(NS, "short")
    assert store.get(NS, "short") is None
    assert store.entry(NS, "forever").expiration_date is None


def test_negative_ttl_is_refused(store):
    with pytest.raises(KVStoreError, match="ttl cannot be negative"):
        store.set(NS, "k", 1, ttl=timedelta(seconds=-1))


def test_overwrite_false_refuses_a_live_key_but_not_an_expired_one(store, clock):
    store.set(NS, "k", "first", ttl=timedelta(seconds=30))
    with pytest.raises(KVKeyExists, match="Cannot set value for key 'k'. Key already exists and `overwrite` is set to `false`."):
        store.set(NS, "k", "second", overwrite=False)
    assert store.get(NS, "k") == "first"
    clock.advance(seconds=31)
    store.set(NS, "k", "third", overwrite=False)
    assert store.get(NS, "k") == "third"
    store.set(NS, "k", "fourth")  # overwrite defaults to true
    assert store.get(NS, "k") == "fourth"


def test_entry_metadata(store, clock):
    store.set(NS, "k", 1, ttl=timedelta(hours=1), description="a counter")
    clock.advance(minutes=5)
    store.set(NS, "k", 2, ttl=timedelta(hours=1), description="a counter")
    entry = store.entry(NS, "k")
    assert entry.creation_date == T0
    assert entry.update_date == T0 + timedelta(minutes=5)
    assert entry.expiration_date == T0 + timedelta(minutes=65)
    assert entry.description == "a counter"


def test_two_stores_on_one_root_share_entries(tmp_path):
    KVStore(tmp_path / "kv").set(NS, "shared", [1, 2])
    assert KVStore(tmp_path / "kv").get(NS, "shared") == [1, 2]


def test_a_corrupt_entry_is_reported(store, tmp_path):
    store.set(NS, "k", 1)
    (tmp_path / "kv" / NS / "k.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(KVStoreError, match="corrupt"):
        store.get(NS, "k")
    with pytest.raises(KVStoreError, match="corrupt"):
        store.set(NS, "k", 2, overwrite=False)
    store.set(NS, "k", 3)  # overwriting repairs it
    assert store.get(NS, "k") == 3


def test_values_that_cannot_be_stored_are_refused(store):
    with pytest.raises(KVStoreError, match="cannot be stored"):
        store.set(NS, "k", {"a": object()})


def test_expression_lookup(store):
    store.set(NS, "k", "v")
    assert lookup_for_expression(store, NS, "k", True) == "v"
    assert lookup_for_expression(store, NS, "missing", False) is None
    with pytest.raises(KVStoreError, match="The key 'missing' does not exist in the namespace 'company.team'."):
        lookup_for_expression(store, NS, "missing", True)


# ---------------------------------------------------------------------- concurrency


def test_concurrent_writers_never_produce_a_torn_value(tmp_path):
    store = KVStore(tmp_path / "kv")
    # big values so a non-atomic write would be visible half-done
    payloads = [{"writer": w, "blob": str(w) * 200_000} for w in range(4)]
    store.set(NS, "k", payloads[0])
    stop = threading.Event()
    seen, errors = [], []

    def write(payload):
        for _ in range(15):
            store.set(NS, "k", payload)

    def read():
        while not stop.is_set():
            try:
                value = store.get(NS, "k")
            except Exception as e:  # a torn document would fail to parse
                errors.append(e)
                return
            seen.append(value["writer"])
            if value != payloads[value["writer"]]:
                errors.append(AssertionError("torn value"))
                return

    readers = [threading.Thread(target=read) for _ in range(2)]
    writers = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert seen
    assert store.get(NS, "k") in payloads
    assert [p.name for p in (tmp_path / "kv" / NS).iterdir() if p.name.endswith(".tmp")] == []


def _process_writer(root: str, writer: int) -> None:
    store = KVStore(Path(root))
    for _ in range(20):
        store.set(NS, "k", {"writer": writer, "blob": str(writer) * 100_000})
        value = store.get(NS, "k")
        assert value["blob"] == str(int(value["writer"])) * 100_000


def test_concurrent_processes_never_produce_a_torn_value(tmp_path):
    root = tmp_path / "kv"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(str(root), w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    value = KVStore(root).get(NS, "k")
    assert value["blob"] == str(int(value["writer"])) * 100_000


def test_concurrent_create_with_overwrite_false_has_one_winner(tmp_path):
    store = KVStore(tmp_path / "kv")
    outcomes = []
    barrier = threading.Barrier(8)

    def attempt(i):
        barrier.wait()
        try:
            store.set(NS, "once", i, overwrite=False)
            outcomes.append(("won", i))
        except KVKeyExists:
            outcomes.append(("lost", i))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for outcome, i in outcomes if outcome == "won"]
    assert len(winners) == 1
    assert store.get(NS, "once") == winners[0]


def test_concurrent_state_merges_lose_no_update(tmp_path):
    states = StateStore(tmp_path / "kv")

    def merge(i):
        for j in range(5):
            states.merge(NS, "flow", "default", {f"k{i}_{j}": j})

    threads = [threading.Thread(target=merge, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(states.get(NS, "flow", "default")) == 20


# ---------------------------------------------------------------------- round trip

_DURATION_TEXT = re.compile(r"P(?=[^T]|T.)(?:\d*D)?(?:T(?=.)(?:\d*H)?(?:\d*M)?(?:\d*S)?)?")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_round_trip_of_json_values(value):
    if isinstance(value, str) and _DURATION_TEXT.fullmatch(value):
        return  # covered by test_a_string_shaped_like_a_duration_reads_back_as_a_duration
    with tempfile.TemporaryDirectory() as root:
        store = KVStore(Path(root))
        store.set(NS, "k", value)
        assert same(store.get(NS, "k"), value)


@settings(max_examples=100, deadline=None)
@given(
    value=st.datetimes(timezones=st.just(timezone.utc))
    | st.datetimes()
    | st.dates()
    | st.timedeltas(min_value=timedelta(days=-9999), max_value=timedelta(days=9999))
)
def test_round_trip_of_dates_and_durations(value):
    with tempfile.TemporaryDirectory() as root:
        store = KVStore(Path(root))
        store.set(NS, "k", value)
        back = store.get(NS, "k")
        assert back == value
        if isinstance(value, datetime):
            assert isinstance(back, datetime) and (back.tzinfo is None) == (value.tzinfo is None)
        else:
            assert type(back) is type(value)


# ---------------------------------------------------------------------- helpers of the state store


def test_murmur3_matches_guava():
    assert murmur3_128_hex("hello") == "029bbd41b3a7d8cb191dae486a901e5b"
    assert murmur3_128_hex("The quick brown fox jumps over the lazy dog") == "6c1b07bc7bbc4be347939ac4a93c437a"
    # exactly one 16-byte block: h1 of the reference vectors
    assert murmur3_128_hex("0123456789abcdef")[:16] == (0x4BE06D94CF4AD1A7).to_bytes(8, "little").hex()
    assert murmur3_128_hex("") == "0" * 32


def test_slugify_as_kestra():
    assert slugify("My_Flow  name") == "my-flow-name"
    assert slugify("-héllo--wörld-") == "hello-world"
    assert slugify("flow.id") == "flowid"


def test_state_keys():
    assert StateStore.key("my-flow", "default") == "my-flow_states_tasks-states_default"
    assert StateStore.key("my-flow", "default", flow_scoped=False) == "states_tasks-states_default"
    assert StateStore.key("My_Flow", "s", taskrun_value="hello") == (
        "my-flow_states_tasks-states_s_029bbd41b3a7d8cb191dae486a901e5b"
    )


def test_merge_maps_as_kestra():
    a = {"keep": 1, "over": 1, "deep": {"x": 1, "l": [1]}, "list": [1], "nulled": 5}
    b = {"over": 2, "deep": {"y": 2, "l": [2]}, "list": [2, 3], "nulled": None, "new": None}
    assert merge_maps(a, b) == {
        "keep": 1,
        "over": 2,
        "deep": {"x": 1, "l": [1, 2], "y": 2},
        "list": [1, 2, 3],
        "nulled": 5,
        "new": None,
    }
    assert merge_maps({}, {"a": 1}) == {"a": 1}
    assert merge_maps({"a": 1}, None) == {"a": 1}


# ---------------------------------------------------------------------- kv tasks


def run(tmp_path, store, task, props, **kw):
    return kv_tasks.TASKS[f"io.kestra.plugin.core.kv.{task}"](make_ctx(tmp_path, props, store, **kw))


def test_set_then_get_in_the_flow_namespace(tmp_path, store):
    assert run(tmp_path, store, "Set", {"key": "orders", "value": {"count": 3}}) == {}
    assert store.get(NS, "orders") == {"count": 3}
    assert run(tmp_path, store, "Get", {"key": "orders"}) == {"value": {"count": 3}}


def test_set_in_another_namespace(tmp_path, store):
    run(tmp_path, store, "Set", {"key": "k", "value": "v", "namespace": "dev"})
    assert store.get("dev", "k") == "v"
    assert run(tmp_path, store, "Get", {"key": "k"}) == {"value": None}
    assert run(tmp_path, store, "Get", {"key": "k", "namespace": "dev"}) == {"value": "v"}


@pytest.mark.parametrize(
    "kv_type, text, expected",
    [
        ("STRING", "42", "42"),
        ("NUMBER", "42", 42),
        ("NUMBER", "3.5", 3.5),
        ("NUMBER", "12345678901", 12345678901),
        ("BOOLEAN", "TRUE", True),
        ("BOOLEAN", "yes", False),
        ("DATETIME", "2024-01-31T10:15:30Z", datetime(2024, 1, 31, 10, 15, 30, tzinfo=timezone.utc)),
        ("DATETIME", "2024-01-31T10:15:30.5+02:00", datetime(2024, 1, 31, 8, 15, 30, 500000, tzinfo=timezone.utc)),
        ("DATE", "2024-01-31T00:00:00Z", datetime(2024, 1, 31, tzinfo=timezone.utc)),
        ("DURATION", "PT1H30M", timedelta(hours=1, minutes=30)),
        ("DURATION", "P2D", timedelta(days=2)),
        ("JSON", '{"a": [1, true]}', {"a": [1, True]}),
        ("JSON", "[1, 2]", [1, 2]),
    ],
)
def test_set_converts_strings_to_kv_type(tmp_path, store, kv_type, text, expected):
    run(tmp_path, store, "Set", {"key": "k", "value": text, "kvType": kv_type})
    got = run(tmp_path, store, "Get", {"key": "k"})["value"]
    assert same(got, expected)
    if kv_type == "NUMBER" and text == "42":
        assert isinstance(got, Int32)
    if kv_type in ("DATETIME", "DATE"):
        assert isinstance(got, Instant)


@pytest.mark.parametrize(
    "kv_type, text, message",
    [
        ("NUMBER", "forty-two", "Cannot convert 'forty-two' to a NUMBER"),
        ("NUMBER", "true", "Cannot convert 'true' to a NUMBER"),
        ("DATE", "2024-01-31", "Cannot convert '2024-01-31' to a DATE"),  # Kestra's Instant.parse
        ("DATETIME", "yesterday", "Cannot convert 'yesterday' to a DATETIME"),
        ("DURATION", "90", "Cannot convert '90' to a DURATION"),
        ("JSON", "{oops", "Cannot convert '{oops' to JSON"),
        ("TEXT", "x", "Invalid value 'TEXT' for property 'kvType': expected one of STRING, NUMBER, BOOLEAN, "),
    ],
)
def test_set_reports_bad_conversions(tmp_path, store, kv_type, text, message):
    with pytest.raises(TaskFailed, match=message):
        run(tmp_path, store, "Set", {"key": "k", "value": text, "kvType": kv_type})
    assert store.get(NS, "k") is None


def test_kv_type_leaves_typed_values_alone(tmp_path, store):
    run(tmp_path, store, "Set", {"key": "k", "value": {"a": 1}, "kvType": "NUMBER"})
    assert store.get(NS, "k") == {"a": 1}


def test_set_ttl_and_get_of_an_expired_key_fails(tmp_path, store, clock):
    run(tmp_path, store, "Set", {"key": "k", "value": "v", "ttl": "PT1H"})
    clock.advance(minutes=59)
    assert run(tmp_path, store, "Get", {"key": "k"}) == {"value": "v"}
    clock.advance(minutes=2)
    assert run(tmp_path, store, "GetKeys", {}) == {"keys": []}
    with pytest.raises(TaskFailed, match="The requested value has expired"):
        run(tmp_path, store, "Get", {"key": "k"})
    assert run(tmp_path, store, "Get", {"key": "k"}) == {"value": None}


def test_set_rejects_a_bad_ttl(tmp_path, store):
    with pytest.raises(TaskFailed, match="Invalid value 'soon' for property 'ttl': expected a duration such as PT1H30M"):
        run(tmp_path, store, "Set", {"key": "k", "value": "v", "ttl": "soon"})
    with pytest.raises(TaskFailed, match="ttl cannot be negative"):
        run(tmp_path, store, "Set", {"key": "k", "value": "v", "ttl": "-PT1S"})


def test_set_overwrite_false(tmp_path, store):
    run(tmp_path, store, "Set", {"key": "k", "value": "one"})
    with pytest.raises(TaskFailed, match="Key already exists and `overwrite` is set to `false`"):
        run(tmp_path, store, "Set", {"key": "k", "value": "two", "overwrite": False})
    assert store.get(NS, "k") == "one"
    run(tmp_path, store, "Set", {"key": "k", "value": "two", "overwrite": "true"})
    assert store.get(NS, "k") == "two"


def test_set_keeps_the_description(tmp_path, store):
    run(tmp_path, store, "Set", {"key": "k", "value": "v", "kvDescription": "why it is here"})
    assert store.entry(NS, "k").description == "why it is here"


def test_set_requires_key_and_value(tmp_path, store):
    with pytest.raises(TaskFailed, match="Missing required property 'key'"):
        run(tmp_path, store, "Set", {"value": "v"})
    with pytest.raises(TaskFailed, match="Missing required property 'value'"):
        run(tmp_path, store, "Set", {"key": "k"})


def test_set_reports_an_invalid_key(tmp_path, store):
    with pytest.raises(TaskFailed, match="Key must start with an alphanumeric character"):
        run(tmp_path, store, "Set", {"key": "bad key", "value": "v"})


def test_get_missing_with_and_without_error_on_missing(tmp_path, store):
    assert run(tmp_path, store, "Get", {"key": "nope"}) == {"value": None}
    with pytest.raises(
        TaskFailed,
        match="No value found for key 'nope' in namespace 'company.team' and `errorOnMissing` is set to true",
    ):
        run(tmp_path, store, "Get", {"key": "nope", "errorOnMissing": True})


def test_get_of_a_stored_null_is_not_missing(tmp_path, store):
    store.set(NS, "k", None)
    assert run(tmp_path, store, "Get", {"key": "k", "errorOnMissing": True}) == {"value": None}


def test_delete_with_and_without_error_on_missing(tmp_path, store):
    store.set(NS, "k", 1)
    assert run(tmp_path, store, "Delete", {"key": "k"}) == {"deleted": True}
    assert run(tmp_path, store, "Delete", {"key": "k"}) == {"deleted": False}
    with pytest.raises(TaskFailed, match="No value found for key 'k' in namespace 'company.team'"):
        run(tmp_path, store, "Delete", {"key": "k", "errorOnMissing": True})


def test_get_keys_with_a_prefix(tmp_path, store):
    for key in ("my_var1", "my_var2", "other"):
        store.set(NS, key, 1)
    assert run(tmp_path, store, "GetKeys", {"prefix": "my_var"}) == {"keys": ["my_var1", "my_var2"]}
    assert run(tmp_path, store, "GetKeys", {}) == {"keys": ["my_var1", "my_var2", "other"]}
    assert run(tmp_path, store, "GetKeys", {"namespace": "dev"}) == {"keys": []}


def test_kv_tasks_without_a_store_fail_clearly(tmp_path, store):
    ctx = make_ctx(tmp_path, {"key": "k"}, store)
    ctx.services = None
    with pytest.raises(TaskFailed, match="No KV store is available"):
        kv_tasks.run_get(ctx)


def test_bad_boolean_properties_are_reported(tmp_path, store):
    with pytest.raises(TaskFailed, match="^Invalid value 'maybe' for property 'errorOnMissing': expected true or false$"):
        run(tmp_path, store, "Get", {"key": "k", "errorOnMissing": "maybe"})


def test_an_empty_boolean_property_takes_its_default(tmp_path, store):
    # Jackson converts an empty string to no value (an expression that rendered nothing)
    assert run(tmp_path, store, "Get", {"key": "k", "errorOnMissing": ""}) == {"value": None}


# ---------------------------------------------------------------------- state tasks


def srun(tmp_path, store, task, props, **kw):
    return state_tasks.TASKS[f"io.kestra.plugin.core.state.{task}"](make_ctx(tmp_path, props, store, **kw))


def test_state_set_merges_and_get_reads(tmp_path, store):
    out = srun(tmp_path, store, "Set", {"data": {"a": 1, "nested": {"x": 1}}})
    assert out == {"count": 2, "key": "my-flow_states_tasks-states_default"}
    out = srun(tmp_path, store, "Set", {"data": {"b": "two", "nested": {"y": 2}}})
    assert out["count"] == 3
    got = srun(tmp_path, store, "Get", {})
    assert got == {"count": 3, "data": {"a": 1, "nested": {"x": 1, "y": 2}, "b": "two"}}
    assert isinstance(got["data"]["a"], Int32)


def test_state_lives_in_the_namespace_kv_store(tmp_path, store):
    srun(tmp_path, store, "Set", {"name": "cursor", "data": {"offset": 10}})
    assert "my-flow_states_tasks-states_cursor" in store.keys(NS)


def test_state_get_missing_with_and_without_error_on_missing(tmp_path, store):
    assert srun(tmp_path, store, "Get", {}) == {"count": 0, "data": {}}
    with pytest.raises(TaskFailed, match="State my-flow_states_tasks-states_default not found"):
        srun(tmp_path, store, "Get", {"errorOnMissing": True})


def test_state_is_per_flow_unless_namespace_is_true(tmp_path, store):
    srun(tmp_path, store, "Set", {"data": {"a": 1}}, flow_id="flow-a")
    assert srun(tmp_path, store, "Get", {}, flow_id="flow-b") == {"count": 0, "data": {}}
    srun(tmp_path, store, "Set", {"data": {"shared": True}, "namespace": True}, flow_id="flow-a")
    assert srun(tmp_path, store, "Get", {"namespace": True}, flow_id="flow-b")["data"] == {"shared": True}


def test_state_is_per_taskrun_value_unless_disabled(tmp_path, store):
    srun(tmp_path, store, "Set", {"data": {"v": "a"}}, value="a")
    srun(tmp_path, store, "Set", {"data": {"v": "b"}}, value="b")
    assert srun(tmp_path, store, "Get", {}, value="a")["data"] == {"v": "a"}
    assert srun(tmp_path, store, "Get", {}, value="b")["data"] == {"v": "b"}
    srun(tmp_path, store, "Set", {"data": {"n": 1}, "taskrunValue": False}, value="a")
    assert srun(tmp_path, store, "Get", {"taskrunValue": False}, value="b")["data"] == {"n": 1}


def test_state_names_are_separate(tmp_path, store):
    srun(tmp_path, store, "Set", {"name": "one", "data": {"a": 1}})
    assert srun(tmp_path, store, "Get", {"name": "two"})["count"] == 0


def test_state_delete(tmp_path, store):
    srun(tmp_path, store, "Set", {"data": {"a": 1}})
    assert srun(tmp_path, store, "Delete", {}) == {"deleted": True}
    assert srun(tmp_path, store, "Delete", {}) == {"deleted": False}
    with pytest.raises(TaskFailed, match="Unable to find the state file 'default'"):
        srun(tmp_path, store, "Delete", {"errorOnMissing": True})


def test_state_set_refuses_non_map_data_and_bad_names(tmp_path, store):
    with pytest.raises(TaskFailed, match=r"^Invalid value '\[1,2\]' for property 'data': expected a map$"):
        srun(tmp_path, store, "Set", {"data": [1, 2]})
    with pytest.raises(TaskFailed, match="Key must start with an alphanumeric character"):
        srun(tmp_path, store, "Set", {"name": "my state", "data": {"a": 1}})


def test_state_json_text_in_the_store(tmp_path, store):
    srun(tmp_path, store, "Set", {"data": {"a": 1}})
    assert json.loads(store.get(NS, "my-flow_states_tasks-states_default")) == {"a": 1}
