"""java.util.HashMap's table size (values.hashmap_capacity), which fixes the order in which a
HashMap built by Kestra's filters or inputs iterates."""
import pytest

from runtime.pebble.values import JavaHashMap, hashmap_capacity


@pytest.mark.parametrize("size, initial, capacity", [
    (0, 16, 16), (12, 16, 16), (13, 16, 32), (24, 16, 32), (25, 16, 64),
    (3, 17, 32),  # an initial capacity is rounded up to a power of two
    (0, 0, 1), (1, 0, 2),
])
def test_hashmap_capacity(size, initial, capacity):
    assert hashmap_capacity(size, initial) == capacity


def test_a_resized_table_changes_the_order():
    # "q" (hash 113) and "a" (hash 97) share a bucket among 16, where insertion order holds;
    # among 32 they are apart and "a" comes first
    keys = ["q", "a"] + [f"k{i}" for i in range(11)]

    def order(capacity: int) -> list:
        return [k for k in JavaHashMap.of([(k, 0) for k in keys], capacity) if k in ("q", "a")]

    assert order(hashmap_capacity(12)) == ["q", "a"]
    assert order(hashmap_capacity(13)) == ["a", "q"]
