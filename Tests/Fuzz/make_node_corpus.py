#!/usr/bin/env python3
"""Writes the seed corpus of the node-level fuzzer (Tests/Fuzz/corpus/node):
streams of frames a contact sends after HELLO. Usage: make_node_corpus.py DIR"""
import hashlib, os, struct, sys, uuid

def frame(kind, payload):
    return struct.pack(">IHBB", len(payload), kind, 1, 0) + payload

def string(text):
    data = text.encode()
    return struct.pack(">I", len(data)) + data

def chat(body, sent_at=1_767_225_600_000, ident=None):
    return frame(0x0010, (ident or uuid.uuid4()).bytes + struct.pack(">Q", sent_at) + string(body))

def receipt(kind, ids, at=1_767_225_600_000):
    return frame(0x0011, bytes([kind]) + struct.pack(">QH", at, len(ids)) + b"".join(i.bytes for i in ids))

def offer(ident, name, content):
    return frame(0x0101, ident.bytes + string(name) + struct.pack(">Q", len(content))
                 + hashlib.sha256(content).digest() + string("text/plain"))

def chunk(ident, offset, data):
    return frame(0x0107, ident.bytes + struct.pack(">QI", offset, len(data)) + data)

def simple(kind, ident, extra=b""):
    return frame(kind, ident.bytes + extra)

def description(video=True, candidates=1, key=bytes(range(30))):
    def media(kind, pt, rate, ssrc, bitrate, w=0, h=0, fps=0):
        return struct.pack(">BBBIIIHHB", kind, 3, pt, rate, ssrc, bitrate, w, h, fps)
    entries = [media(1, 111, 48000, 0x11111111, 32000)]
    if video:
        entries.append(media(2, 96, 90000, 0x22222222, 800000, 640, 480, 30))
    body = struct.pack(">H", len(entries)) + b"".join(entries)
    body += struct.pack(">H", candidates) + b"".join(string("127.0.0.1") + struct.pack(">H", 40000 + i) for i in range(candidates))
    return body + struct.pack(">I", len(key)) + key

def invite(ident, timeout=30, video=True):
    return frame(0x0201, ident.bytes + struct.pack(">H", timeout) + description(video))

MEMBER = "0123456789ABCDEFGHJKMNPQRSTVWXYZ0123"

def group_invite(ident, joining, members):
    return frame(0x0201, ident.bytes + struct.pack(">H", 30) + description(False)
                 + bytes([1 if joining else 0]) + struct.pack(">H", len(members)) + b"".join(string(m) for m in members))

def relay(ident, direction, peer, inner_kind, inner_payload, name=""):
    return frame(0x0209, ident.bytes + bytes([direction]) + string(peer) + string(name)
                 + struct.pack(">HI", inner_kind, len(inner_payload)) + inner_payload)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
a, b = uuid.UUID(int=1), uuid.UUID(int=2)
content = b"hello, file\n" * 40
seeds = {
    "chat": chat("Hi! 👋") + chat("second", ident=a) + chat("second again", ident=a),
    "receipts": chat("x", ident=b) + receipt(1, [a, b]) + receipt(2, [b]),
    "typing": frame(0x0012, b"\x01") + frame(0x0012, b"\x00") + frame(0x0002, struct.pack(">Q", 7)),
    "file-complete": offer(a, "note.txt", content) + chunk(a, 0, content[:200]) + chunk(a, 200, content[200:]),
    "file-resend": offer(a, "note.txt", content) + chunk(a, 0, content[:300]) + chunk(a, 100, content[100:]),
    "file-wrong-hash": offer(b, "bad.bin", content) + chunk(b, 0, bytes(len(content))),
    "file-controls": offer(a, "x.txt", content) + simple(0x0105, a) + simple(0x0106, a)
        + simple(0x0102, a, struct.pack(">Q", 0)) + simple(0x0108, a, struct.pack(">Q", 10))
        + simple(0x0103, a, string("no")) + simple(0x0104, a, string("stop"))
        + simple(0x0109, a, b"\x01" + string("")),
    "file-names": offer(a, "../../etc/passwd", b"x") + offer(b, ".\u0301hidden", b"y")
        + offer(uuid.UUID(int=3), "a" + "\u0301" * 300, b"z"),
    "contact-request": frame(0x0020, string("me") + string("note") + struct.pack(">H", 0)),
    "call-invite-cancel": invite(a) + simple(0x0205, a),
    "call-invite-twice": invite(a, video=False) + invite(b) + simple(0x0206, a, b"\x01" + string("bye")),
    "call-frames-unknown-call": simple(0x0202, b) + simple(0x0203, b, description(False))
        + simple(0x0204, b, b"\x02" + string("busy")) + simple(0x0207, b, b"\x02\x02\x00"),
    "call-media-state": invite(a) + simple(0x0207, a, b"\x01\x01\x00") + simple(0x0207, a, b"\x02\x02\x01")
        + simple(0x0300, a, struct.pack(">I", 12) + bytes([0x80, 111]) + bytes(10)),
    "call-datagram-flood": invite(a) + b"".join(simple(0x0300, a, struct.pack(">I", 20) + bytes(20)) for _ in range(50)),
    "call-group-invite": group_invite(a, False, [MEMBER]) + group_invite(b, True, [])
        + simple(0x0206, a, b"\x01" + string("bye")),
    "call-relay": invite(a, video=False) + relay(a, 1, MEMBER, 0x0202, a.bytes)
        + relay(a, 2, MEMBER, 0x0201, a.bytes + struct.pack(">H", 30) + description(False) + b"\x01" + struct.pack(">H", 0), "carol")
        + relay(a, 2, MEMBER, 0x0300, a.bytes + struct.pack(">I", 12) + bytes([0x80, 111]) + bytes(10)),
    "call-broadcast": frame(0x020A, a.bytes + b"\x03") + frame(0x020A, a.bytes + b"\x03") + frame(0x020A, b.bytes + b"\x01")
        + frame(0x020A, a.bytes + b"\x00"),
    "call-watch-no-broadcast": frame(0x0201, a.bytes + struct.pack(">H", 30) + description(False) + b"\x02" + struct.pack(">H", 0))
        + simple(0x0206, a, b"\x01" + string("bye")),
    "external-address": frame(0x0030, b"\x04" + bytes([198, 51, 100, 20]) + struct.pack(">HB", 29172, 1))
        + frame(0x0030, b"\x06" + bytes.fromhex("20010db8000000000000000000000001") + struct.pack(">HB", 443, 2))
        + frame(0x0030, b"\x04" + bytes([127, 0, 0, 1]) + struct.pack(">HB", 1, 1)),
    "external-address-flood": b"".join(frame(0x0030, b"\x04" + bytes([203, 0, 113, i]) + struct.pack(">HB", 1000 + i, 1))
                                       for i in range(1, 30)),
    "close": chat("before") + frame(0x0004, struct.pack(">H", 0) + string("bye")) + chat("after"),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
