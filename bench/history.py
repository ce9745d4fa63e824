#!/usr/bin/env python3
"""History benchmark: search and history paging as one conversation grows.

Builds one profile and grows it to each N (default 10^4, 10^5, 10^6 messages),
inserting the messages straight into its database with Parley's real schema
(the migrations the binary applied; the FTS5 triggers index them), 20,000 rows
per transaction: ~50-character bodies of common and rarer words, "hello" in a
quarter of them, "world" in a tenth, one rare word 20 times whatever N, and 1 %
of the messages with a second contact (carol). At each N it measures, with the
release binary (process start included, median of 5):

- search newest 50: a rare word, a common word, a common prefix, two words;
  a contact-filtered search (carol, a common word) and its worst case before
  migration 0007 (carol, a word in a quarter of the others' messages and none
  of hers), now an intersection in the index; the "more" page (--before);
- history: the newest page, and a page 10,000 messages back (--before);
- start-up alone (`parley contacts list`), so figure − start-up ≈ the store;
- reference, same run: the sqlite3 shell running the store's query on the
  same file (process start included), and that query's time inside one
  SQLite connection (Python's sqlite3, the same library);
- the terminal UI's first screen (tmux, 120x40): start → newest message shown;
- bytes on disk per message (database after a checkpoint, index included).

It prints each figure per N and how it grows from the smallest N to the largest.

Usage: bench/history.py [--sizes 10000,100000,1000000] [--parley PATH]
"""
import argparse, json, math, os, random, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

from harness import DEFAULT_PARLEY, free_port

WORDS = ("the and you that for are with this have not but what all were when your can said there use each "
         "which she how their will other about out many then them these some her would make like him into time "
         "has look two more write see number way could people than first water been call who now find long down "
         "day did get come made may part over new sound take only little work know place year live back give "
         "most very after thing our just name good sentence man think say great where help through much before "
         "line right too mean old any same tell boy follow came want show also around form three small set put "
         "end does another well large must big even such because turn here why ask went men read need land "
         "different home move try kind hand picture again change off play spell air away animal house point page "
         "letter mother answer found study still learn should america helmet held hell helpful heliport").split()
RARE = "zeppelin"
CASES = [  # name, search words, extra arguments
    ("search rare word", [RARE], []),
    ("search common word", ["hello"], []),
    ("search common prefix", ["hel"], []),
    ("search two words", ["hello", "world"], []),
    ("search contact-filtered", ["hello"], ["--contact", "carol"]),
    ("search contact, absent word", ["bobonly"], ["--contact", "carol"]),  # worst case: every match read
]


def body(rng, i, n):
    words = [WORDS[min(int(rng.paretovariate(0.9)) - 1, len(WORDS) - 1)] for _ in range(11)]
    if rng.random() < 0.25:
        words[rng.randrange(5)] = "hello"
    if rng.random() < 0.1:
        words[5 + rng.randrange(5)] = "world"
    if i % max(1, n // 20) == 7 and i % 100 != 50:
        words[0] = RARE
    if i % 100 != 50 and rng.random() < 0.25:
        words[10] = "bobonly"
    return " ".join(words)


def median_ms(command, runs=5):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def plan(words):
    """The store's SearchPlan: the FTS5 query it runs first and whether it checks a long prefix."""
    quoted = [f'"{w}"' for w in words]
    last = words[-1]
    if len(last) >= 4 and last.isalnum():
        return " ".join(quoted[:-1] + [f'"{last[:3]}" *']), True
    return " ".join(quoted[:-1] + [quoted[-1] + ("" if len(last) == 1 else " *")]), False


COLUMNS = "m.uuid, m.direction, m.body, m.sent_at, m.received_at, m.read_at, m.state, c.contact_id"


def fts_match(match, conversation):
    """MessageRepository.ftsMatch: the words in the body column, the conversation in the full-text query."""
    words = f"{{body}} : ({match})"
    return f'conversation : "{conversation}" AND {words}' if conversation else words


def search_sql(words, conversation, before):
    match, checked = plan(words)
    sql = (f"SELECT f.rowid AS row, {COLUMNS}, c.name, snippet(messages_fts, 0, '[', ']', '…', 12)"
           + (", highlight(messages_fts, 0, char(1), char(2))" if checked else "")
           + " FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid"
           " CROSS JOIN conversations v ON v.id = m.conversation CROSS JOIN contacts c ON c.id = v.contact"
           f" WHERE messages_fts MATCH '{fts_match(match, conversation)}'"
           + (f" AND f.rowid < {before}" if before else "")
           + f" ORDER BY f.rowid DESC LIMIT {100 if checked else 50}")
    return sql


def history_sql(conversation, before):
    return (f"SELECT {COLUMNS} FROM messages m CROSS JOIN conversations v ON v.id = m.conversation"
            f" CROSS JOIN contacts c ON c.id = v.contact WHERE m.conversation = {conversation}"
            + (f" AND m.id < (SELECT id FROM messages WHERE uuid = '{before}')" if before else "")
            + " ORDER BY m.id DESC LIMIT 50")


def in_process_ms(db_path, sql, runs=5):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    db.close()
    return statistics.median(times)


def ui_first_screen_s(parley, home, newest_text, runs=3):
    socket_path = os.path.join(home, "..", "tmux.sock")
    times = []
    for run in range(runs):
        port = free_port()
        started = time.perf_counter()
        subprocess.run(["tmux", "-S", socket_path, "new-session", "-d", "-s", f"ui{run}", "-x", "120", "-y", "40",
                        "env", "TERM=xterm-256color", "LANG=C.UTF-8", parley, "--home", home,
                        "--listen", f"127.0.0.1:{port}"], check=True)
        try:
            while True:
                screen = subprocess.run(["tmux", "-S", socket_path, "capture-pane", "-t", f"ui{run}", "-p"],
                                        capture_output=True, text=True).stdout
                if newest_text in screen:
                    times.append(time.perf_counter() - started)
                    break
                if time.perf_counter() - started > 60:
                    raise TimeoutError("the UI did not show the newest message")
                time.sleep(0.005)
        finally:
            subprocess.run(["tmux", "-S", socket_path, "send-keys", "-t", f"ui{run}", "F10"])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and subprocess.run(
                    ["tmux", "-S", socket_path, "has-session", "-t", f"ui{run}"],
                    stderr=subprocess.DEVNULL).returncode == 0:
                time.sleep(0.05)
            subprocess.run(["tmux", "-S", socket_path, "kill-server"], stderr=subprocess.DEVNULL)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--keep", action="store_true", help="keep the profile (its path is printed)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parley = args.parley
    work = tempfile.mkdtemp(prefix="parley-history-")
    home = os.path.join(work, "alice")

    def run(*arguments):
        return subprocess.run([parley, *arguments, "--home", home], check=True, capture_output=True, text=True).stdout

    try:
        run("id", "--set-name", "alice")
        ids = {}
        for name in ("bob", "carol"):
            other = os.path.join(work, name)
            subprocess.run([parley, "id", "--set-name", name, "--home", other], check=True, capture_output=True)
            ids[name] = json.loads(subprocess.run([parley, "id", "--json", "--home", other], check=True,
                                                  capture_output=True, text=True).stdout)["id"]
            run("contacts", "add", ids[name], "--name", name)
        db_path = os.path.join(home, "parley.db")
        db = sqlite3.connect(db_path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        conversation = {}
        for name in ("bob", "carol"):
            contact = db.execute("SELECT id FROM contacts WHERE name = ?", (name,)).fetchone()[0]
            db.execute("INSERT INTO conversations (contact, created_at) VALUES (?, 0)", (contact,))
            conversation[name] = db.execute("SELECT last_insert_rowid()").fetchone()[0]

        rng = random.Random(1)
        inserted, results = 0, {}
        base_ms = 1_600_000_000_000
        for n in sizes:
            started = time.perf_counter()
            while inserted < n:
                end = min(n, inserted + 20_000)
                db.execute("BEGIN")
                db.executemany(
                    "INSERT INTO messages (uuid, conversation, direction, body, sent_at, received_at, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((f"{i:08X}-0000-4000-8000-{i:012X}", conversation["carol" if i % 100 == 50 else "bob"],
                      "in" if i % 2 else "out", body(rng, i, n), base_ms + i * 1000,
                      base_ms + i * 1000 if i % 2 else None, "delivered" if i % 2 else "read")
                     for i in range(inserted, end)))
                db.execute("COMMIT")
                inserted = end
            build_s = time.perf_counter() - started
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            used = (db.execute("PRAGMA page_count").fetchone()[0]
                    - db.execute("PRAGMA freelist_count").fetchone()[0]) * page_size
            average_body = db.execute("SELECT avg(length(body)) FROM messages").fetchone()[0]

            figures = {}
            start_up = median_ms([parley, "contacts", "list", "--json", "--home", home])
            figures["start-up (parley contacts list)"] = (start_up, None, None)
            bob = conversation["bob"]
            for name, words, extra in CASES:
                process = median_ms([parley, "search", *words, *extra, "--json", "--home", home])
                sql = search_sql(words, conversation["carol"] if extra else None, None)
                figures[name] = (process, median_ms(["sqlite3", db_path, sql]), in_process_ms(db_path, sql))
            hits = json.loads(run("search", "hello", "--json"))
            last_hit = hits[-1]["message"]["id"]
            last_row = db.execute("SELECT id FROM messages WHERE uuid = ?", (last_hit,)).fetchone()[0]
            process = median_ms([parley, "search", "hello", "--before", last_hit, "--json", "--home", home])
            sql = search_sql(["hello"], None, last_row)
            figures["search common word, more page"] = (process, median_ms(["sqlite3", db_path, sql]),
                                                          in_process_ms(db_path, sql))
            process = median_ms([parley, "history", "bob", "--json", "--home", home])
            sql = history_sql(bob, None)
            figures["history newest page"] = (process, median_ms(["sqlite3", db_path, sql]), in_process_ms(db_path, sql))
            back = db.execute("SELECT uuid FROM messages WHERE conversation = ? ORDER BY id DESC LIMIT 1 OFFSET 10000",
                              (bob,)).fetchone()
            back = back[0] if back else db.execute("SELECT uuid FROM messages WHERE conversation = ? ORDER BY id "
                                                   "LIMIT 1 OFFSET 50", (bob,)).fetchone()[0]
            process = median_ms([parley, "history", "bob", "--before", back, "--json", "--home", home])
            sql = history_sql(bob, back)
            figures["history page 10,000 back"] = (process, median_ms(["sqlite3", db_path, sql]),
                                                    in_process_ms(db_path, sql))
            newest = db.execute("SELECT body FROM messages WHERE conversation = ? ORDER BY id DESC LIMIT 1",
                                (bob,)).fetchone()[0]
            ui = ui_first_screen_s(parley, home, " ".join(newest.split()[:4]))
            results[n] = (figures, ui, used / n)

            print(f"\n== N = {n:,} messages (average body {average_body:.0f} characters; built in {build_s:.0f} s)")
            print(f"{'':34} {'parley':>9} {'− start-up':>11} {'sqlite3 shell':>14} {'ratio':>6} {'query in SQLite':>16}")
            for name, (process, shell, inside) in figures.items():
                if shell is None:
                    print(f"{name:34} {process:7.1f} ms")
                else:
                    print(f"{name:34} {process:7.1f} ms {process - start_up:8.1f} ms {shell:11.1f} ms "
                          f"{process / shell:6.2f} {inside:13.2f} ms")
            print(f"{'UI first screen (tmux 120x40)':34} {ui:7.2f} s")
            print(f"{'disk per message (index included)':34} {used / n:7.0f} bytes")
            sys.stdout.flush()

        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            factor = large / small
            print(f"\n== growth from N = {small:,} to N = {large:,} (×{factor:,.0f}; log N grows "
                  f"×{math.log(large) / math.log(small):.2f})")
            for name in results[small][0]:
                a, b = results[small][0][name], results[large][0][name]
                store_a, store_b = a[0] - results[small][0]["start-up (parley contacts list)"][0], \
                    b[0] - results[large][0]["start-up (parley contacts list)"][0]
                inside = f", query in SQLite {a[2]:.2f} → {b[2]:.2f} ms (×{b[2] / a[2]:.2f})" if a[2] else ""
                print(f"{name:34} parley {a[0]:.1f} → {b[0]:.1f} ms (×{b[0] / a[0]:.2f}); "
                      f"− start-up {store_a:.1f} → {store_b:.1f} ms{inside}")
            print(f"{'UI first screen':34} {results[small][1]:.2f} → {results[large][1]:.2f} s")
            print(f"{'disk per message':34} {results[small][2]:.0f} → {results[large][2]:.0f} bytes")
    finally:
        if args.keep:
            print(f"profile kept in {home}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
