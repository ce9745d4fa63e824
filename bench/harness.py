"""Shared helpers for the benchmarks: real Parley daemons on loopback, driven
through their control sockets (line-delimited JSON over a Unix socket)."""
import json, os, socket, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PARLEY = os.path.join(ROOT, ".build", "release", "parley")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Control:
    """Line-delimited JSON over the node's Unix control socket."""

    def __init__(self, home):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(os.path.join(home, "control.sock"))
        self.file = self.sock.makefile("rwb")

    def request(self, **fields):
        self.file.write(json.dumps(fields).encode() + b"\n")
        self.file.flush()
        return json.loads(self.file.readline())

    def next_line(self):
        return json.loads(self.file.readline())


class Node:
    def __init__(self, parley, name, work):
        self.parley, self.name = parley, name
        self.home = os.path.join(work, name)
        self.port = free_port()
        self.run("id", "--set-name", name)
        self.id = json.loads(self.run("id", "--json"))["id"]
        self.process = None

    def run(self, *args):
        return subprocess.run([self.parley, *args, "--home", self.home], check=True,
                              capture_output=True, text=True).stdout

    def start(self, environment=None):
        """Starts the daemon; `environment` adds variables to ours (a sound server, its devices)."""
        log = open(os.path.join(self.home, "daemon.log"), "w")
        self.process = subprocess.Popen([self.parley, "daemon", "--home", self.home, "--listen",
                                         f"127.0.0.1:{self.port}", "--log-level", "warning"], stderr=log,
                                        env={**os.environ, **(environment or {})})
        wait_for(lambda: os.path.exists(os.path.join(self.home, "control.sock")) and self.status() is not None)

    def status(self):
        try:
            return Control(self.home).request(command="status")["status"]
        except OSError:
            return None

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_for(condition, timeout=60, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError("condition not met in time")



def linked_pair(parley, work):
    """Two started daemons, alice and bob, that are each other's contacts, linked."""
    alice, bob = Node(parley, "alice", work), Node(parley, "bob", work)
    alice.run("contacts", "add", bob.id, "--name", "bob", "--address", f"127.0.0.1:{bob.port}")
    bob.run("contacts", "add", alice.id, "--name", "alice", "--address", f"127.0.0.1:{alice.port}")
    alice.start()
    bob.start()
    wait_for(lambda: any(c["online"] for c in alice.status()["contacts"]))
    return alice, bob
