#!/usr/bin/env python3
"""File-transfer benchmark: the same random file sent over loopback

  * by Parley, node A → node B (offer, accept, chunks over the TLS peer link,
    written, hashed and fsynced into a part file, verified, renamed), and
  * in the same run, through a plain TLS 1.3 pipe (socat with OpenSSL,
    AES-128-GCM) written to a file — the reference.

Prints both rates in MB/s and the ratio. Usage: bench/files.py [--mib N]
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

from harness import DEFAULT_PARLEY, Control, free_port, linked_pair, wait_for


def random_file(path, mib):
    with open("/dev/urandom", "rb") as source, open(path, "wb") as target:
        for _ in range(mib):
            target.write(source.read(1 << 20))


def parley_transfer(parley, work, path):
    alice = bob = None
    try:
        alice, bob = linked_pair(parley, work)
        downloads = os.path.join(work, "downloads")
        os.makedirs(downloads, exist_ok=True)
        offer = Control(alice.home).request(command="file-send", contact="bob", path=path)
        assert offer["ok"], offer
        transfer_id = offer["transfer"]["id"]
        bob_control = Control(bob.home)
        wait_for(lambda: any(t["id"] == transfer_id for t in bob_control.request(command="file-list")["transfers"]))
        started = time.perf_counter()
        accepted = bob_control.request(command="file-accept", transfer=transfer_id, directory=downloads)
        assert accepted["ok"], accepted

        def completed():
            states = {t["id"]: t["state"] for t in bob_control.request(command="file-list")["transfers"]}
            assert states[transfer_id] not in ("failed", "cancelled"), states[transfer_id]
            return states[transfer_id] == "completed"

        wait_for(completed, timeout=600, interval=0.01)
        elapsed = time.perf_counter() - started
        received = os.path.join(downloads, os.path.basename(path))
        assert os.path.getsize(received) == os.path.getsize(path)
        return elapsed
    finally:
        for node in (alice, bob):
            if node:
                node.stop()


def tls_pipe(work, path):
    key, cert, both = (os.path.join(work, name) for name in ("key.pem", "cert.pem", "both.pem"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-subj", "/CN=bench", "-days", "1"], check=True, capture_output=True)
    with open(both, "w") as output:
        output.write(open(key).read() + open(cert).read())
    config = os.path.join(work, "openssl.cnf")
    with open(config, "w") as output:
        output.write("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n"
                     "[tls]\nMinProtocol = TLSv1.3\nCiphersuites = TLS_AES_128_GCM_SHA256\n")
    environment = dict(os.environ, OPENSSL_CONF=config)
    port = free_port()
    received = os.path.join(work, "tls-received.bin")
    server = subprocess.Popen(["socat", "-b", "65536", "-u",
                               f"OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,cert={both},verify=0",
                               f"CREATE:{received}"], env=environment)
    time.sleep(0.3)
    started = time.perf_counter()
    subprocess.run(["socat", "-b", "65536", "-u", f"OPEN:{path},rdonly", f"OPENSSL:127.0.0.1:{port},verify=0"],
                   env=environment, check=True)
    server.wait(timeout=600)
    with open(received, "rb") as file:
        os.fsync(file.fileno())
    elapsed = time.perf_counter() - started
    assert os.path.getsize(received) == os.path.getsize(path)
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="parley-bench-files-")
    try:
        path = os.path.join(work, "payload.bin")
        random_file(path, args.mib)
        megabytes = args.mib * (1 << 20) / 1e6
        parley_seconds = parley_transfer(args.parley, os.path.join(work, "parley"), path)
        pipe_seconds = tls_pipe(work, path)
        parley_rate, pipe_rate = megabytes / parley_seconds, megabytes / pipe_seconds
        print(f"file transfer of {args.mib} MiB over loopback")
        print(f"parley (TLS 1.3 peer link, fsynced, SHA-256 verified): {parley_rate:,.0f} MB/s ({parley_seconds:.2f} s)")
        print(f"reference socat TLS 1.3 AES-128-GCM pipe to a file:   {pipe_rate:,.0f} MB/s ({pipe_seconds:.2f} s)")
        print(f"ratio parley / tls-pipe: {parley_rate / pipe_rate:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
