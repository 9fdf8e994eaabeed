#!/usr/bin/env python3
"""sip_call.py - minimal SIP over UDP for the sample call (no real SIP stack).

  sip_call.py uas --bind 198.51.100.20 --rtp-port 51372 [--max-time S]
      answers one INVITE with 200 OK + SDP, waits for ACK, answers BYE with 200 OK.
  sip_call.py uac --bind 198.51.100.10 --to 198.51.100.20 --rtp-port 49170 --hold S
      sends INVITE with SDP offer, waits for 200 OK, sends ACK (then creates --ready-file),
      waits S seconds,
      sends BYE, waits for its 200 OK.

SDP: PCMU/8000 (PT 0) + telephone-event/8000 (PT 101, fmtp 0-16), ptime 20.
Both sides use port 5060.  Deterministic Call-ID/tags/branches.
"""
import argparse
import socket
import sys
import time

CALL_ID = "a84b4c76e66710@198.51.100.10"


def sdp(user, sess, ip, port):
    return ("v=0\r\n"
            "o=%s %d %d IN IP4 %s\r\n"
            "s=rtpscope sample call\r\n"
            "c=IN IP4 %s\r\n"
            "t=0 0\r\n"
            "m=audio %d RTP/AVP 0 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
            "a=fmtp:101 0-16\r\n"
            "a=ptime:20\r\n"
            "a=sendrecv\r\n") % (user, sess, sess, ip, ip, port)


def msg(start, headers, body=""):
    h = [start] + headers
    if body:
        h.append("Content-Type: application/sdp")
    h.append("Content-Length: %d" % len(body.encode()))
    return ("\r\n".join(h) + "\r\n\r\n" + body).encode()


def parse(data):
    text = data.decode(errors="replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    return lines[0], hdrs, body


def uas(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 5060))
    s.settimeout(1.0)
    t0 = time.time()
    while time.time() - t0 < a.max_time:
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        start, h, body = parse(data)
        method = start.split()[0]
        if method not in ("INVITE", "BYE"):
            continue  # ACK needs no answer
        to = h["to"][0] if method == "BYE" else h["to"][0] + ";tag=bob-9a8b7c"
        hdrs = ["Via: " + v for v in h["via"]] + [
            "From: " + h["from"][0], "To: " + to, "Call-ID: " + h["call-id"][0],
            "CSeq: " + h["cseq"][0]]
        if method == "INVITE":
            hdrs += ["Contact: <sip:bob@%s:5060>" % a.bind, "Allow: INVITE, ACK, BYE, CANCEL"]
            s.sendto(msg("SIP/2.0 200 OK", hdrs, sdp("bob", 2890844527, a.bind, a.rtp_port)), peer)
        else:
            s.sendto(msg("SIP/2.0 200 OK", hdrs), peer)
            return


def uac(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 5060))
    s.settimeout(2.0)
    peer = (a.to, 5060)
    frm = "\"Alice\" <sip:alice@%s>;tag=alice-1928301774" % a.bind
    to = "<sip:bob@%s>" % a.to

    def common(branch, cseq, to_hdr):
        return ["Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s" % (a.bind, branch), "Max-Forwards: 70",
                "From: " + frm, "To: " + to_hdr, "Call-ID: " + CALL_ID, "CSeq: " + cseq]

    inv = msg("INVITE sip:bob@%s SIP/2.0" % a.to,
              common("776asdhds", "314159 INVITE", to) +
              ["Contact: <sip:alice@%s:5060>" % a.bind, "User-Agent: rtpscope-capture/1",
               "Allow: INVITE, ACK, BYE, CANCEL"],
              sdp("alice", 2890844526, a.bind, a.rtp_port))
    s.sendto(inv, peer)
    data, _ = s.recvfrom(65535)
    start, h, _ = parse(data)
    assert start.startswith("SIP/2.0 200"), start
    to_tag = h["to"][0]
    s.sendto(msg("ACK sip:bob@%s:5060 SIP/2.0" % a.to, common("776asdhdt", "314159 ACK", to_tag)), peer)
    if a.ready_file:  # tell make.sh that the call is set up, so media starts after the ACK
        open(a.ready_file, "w").write("answered\n")
    time.sleep(a.hold)
    s.sendto(msg("BYE sip:bob@%s:5060 SIP/2.0" % a.to, common("776asdhdu", "314160 BYE", to_tag)), peer)
    data, _ = s.recvfrom(65535)
    assert parse(data)[0].startswith("SIP/2.0 200")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["uas", "uac"])
    ap.add_argument("--bind", required=True)
    ap.add_argument("--to")
    ap.add_argument("--rtp-port", type=int, required=True)
    ap.add_argument("--hold", type=float, default=8.0)
    ap.add_argument("--ready-file", default=None)
    ap.add_argument("--max-time", type=float, default=60.0)
    a = ap.parse_args()
    (uas if a.role == "uas" else uac)(a)


if __name__ == "__main__":
    main()
