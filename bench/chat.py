#!/usr/bin/env python3
"""Chat benchmark: two Parley nodes on loopback.

1. Throughput: N messages A→B, queued through A's control socket in batches of
   1,000; the clock stops when B has persisted all of them and A has every
   delivered receipt. Reference, measured in the same run: the same rows
   inserted straight into SQLite (Parley's schema after every migration, FTS5 triggers, WAL,
   synchronous=NORMAL, 1,000 rows per transaction, row by row with executemany)
   — the persistence ceiling — and the same in multi-row INSERT statements of
   100 rows, which is how Parley stores a batch (each statement that writes the
   FTS5 index makes it flush, so fewer statements are faster).
2. Latency: messages sent one at a time; send request → delivered receipt
   event on A's event stream. p50 / p99.

Usage: bench/chat.py [--messages N] [--latency-samples N] [--parley PATH]
"""
import argparse, glob, os, shutil, sqlite3, statistics, sys, tempfile, time

from harness import DEFAULT_PARLEY, ROOT, Control, linked_pair, wait_for


def count(db_path, sql):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(sql).fetchone()[0]


def sqlite_reference(n, body, work, rows_per_statement=1):
    """Rows/s of inserting n messages straight into SQLite with Parley's schema, 1,000 rows per
    transaction, `rows_per_statement` rows per INSERT statement (1: executemany, row by row)."""
    path = os.path.join(work, f"reference-{rows_per_statement}.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for migration in sorted(glob.glob(os.path.join(ROOT, "migrations", "*.sql"))):
        with open(migration) as f:
            db.executescript(f.read())
    db.execute("INSERT INTO contacts (contact_id, name, created_at) VALUES (?, 'bob', 0)", ("0" * 36,))
    db.execute("INSERT INTO conversations (contact, created_at) VALUES (1, 0)")
    row = "(?, 1, 'in', ?, 0, 'delivered')"
    started = time.perf_counter()
    for start in range(0, n, 1000):
        db.execute("BEGIN")
        rows = [(f"{i:036d}", body.format(i)) for i in range(start, min(n, start + 1000))]
        if rows_per_statement == 1:
            db.executemany(f"INSERT INTO messages (uuid, conversation, direction, body, sent_at, state) VALUES {row}", rows)
        else:
            for first in range(0, len(rows), rows_per_statement):
                chunk = rows[first:first + rows_per_statement]
                db.execute("INSERT INTO messages (uuid, conversation, direction, body, sent_at, state) VALUES "
                           + ", ".join([row] * len(chunk)), [value for pair in chunk for value in pair])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return n / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--latency-samples", type=int, default=2_000)
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    args = parser.parse_args()
    body = "benchmark message {:07d}: the quick brown fox jumps over the lazy dog"

    work = tempfile.mkdtemp(prefix="parley-bench-")
    alice = bob = None
    try:
        alice, bob = linked_pair(args.parley, work)

        # 1. Throughput
        control = Control(alice.home)
        a_db, b_db = os.path.join(alice.home, "parley.db"), os.path.join(bob.home, "parley.db")
        started = time.perf_counter()
        for start in range(0, args.messages, 1000):
            texts = [body.format(i) for i in range(start, min(args.messages, start + 1000))]
            answer = control.request(command="send", contact="bob", texts=texts)
            assert answer["ok"], answer
        queued = time.perf_counter() - started
        wait_for(lambda: count(a_db, "SELECT count(*) FROM messages WHERE state = 'delivered'") == args.messages,
                 timeout=600, interval=0.05)
        elapsed = time.perf_counter() - started
        persisted = count(b_db, "SELECT count(*) FROM messages WHERE direction = 'in'")
        assert persisted == args.messages, f"B persisted {persisted} of {args.messages}"
        parley_rate = args.messages / elapsed
        reference_rate = sqlite_reference(args.messages, body, work)
        multirow_rate = sqlite_reference(args.messages, body, work, rows_per_statement=100)

        # 2. Latency, one message at a time
        events = Control(alice.home)
        assert events.request(command="events")["ok"]
        latencies = []
        for i in range(args.latency_samples):
            sent = time.perf_counter()
            answer = control.request(command="send", contact="bob", text=f"latency probe {i}")
            message_id = answer["message"]["id"]
            while True:
                event = events.next_line()
                if event.get("event") == "receipt" and message_id in event.get("ids", []):
                    latencies.append((time.perf_counter() - sent) * 1000)
                    break
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[int(len(latencies) * 0.99) - 1]

        print(f"chat throughput A→B, {args.messages} messages: {parley_rate:,.0f} msg/s delivered and persisted "
              f"({elapsed:.2f} s; queueing took {queued:.2f} s)")
        print(f"reference: SQLite insert of the same rows with Parley's schema: {reference_rate:,.0f} rows/s")
        print(f"ratio parley / sqlite-insert: {parley_rate / reference_rate:.2f}")
        print(f"reference: the same rows in multi-row INSERTs of 100 (as Parley stores them): {multirow_rate:,.0f} rows/s; "
              f"ratio parley / multi-row insert: {parley_rate / multirow_rate:.2f}")
        print(f"send → delivered latency over {len(latencies)} messages: p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
              f"mean {statistics.mean(latencies):.2f} ms")
    finally:
        for node in (alice, bob):
            if node:
                node.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
