"""Connection hygiene: slow or idle clients are cut off on time, stalled uploads commit
nothing, a client that stops reading is dropped, and connection caps refuse the excess
cheaply while everyone else is served. Every loop here is bounded in count and time and
talks only to 127.0.0.0/8."""

import os
import socket
import statistics
import threading
import time
import urllib.parse
import uuid

import botocore
import pytest

from conftest import Oosd

HEAD_TIMEOUT = 2
BODY_TIMEOUT = 2
SEND_TIMEOUT = 2
PER_CLIENT = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("limits")
    cfg = d / "oosd.toml"
    cfg.write_text(f"""
request_head_timeout_seconds = {HEAD_TIMEOUT}
body_timeout_seconds = {BODY_TIMEOUT}
send_timeout_seconds = {SEND_TIMEOUT}
max_connections = 1000
max_connections_per_client = {PER_CLIENT}
""")
    s = Oosd(d / "data", config=cfg).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def s3(server):
    return server.client()


@pytest.fixture(scope="module")
def bucket(s3):
    name = "lim-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name)
    return name


def port(server):
    return urllib.parse.urlsplit(server.endpoint).port


def connect(server, source="127.0.0.1", rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port(server)))
    return s


def closed_by_peer(sock, within):
    """Whether the server closes `sock` within `within` seconds (whatever it sent first is
    read and discarded)."""
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def open_fds(server):
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def test_idle_and_keep_alive_connections_are_closed_on_time(server):
    fresh = connect(server)
    used = connect(server)
    used.sendall(b"GET /_health HTTP/1.1\r\nHost: x\r\n\r\n")
    used.settimeout(5)
    assert used.recv(4096).startswith(b"HTTP/1.1 200")
    start = time.monotonic()
    assert closed_by_peer(fresh, HEAD_TIMEOUT + 3)
    assert closed_by_peer(used, HEAD_TIMEOUT + 3)
    assert time.monotonic() - start >= HEAD_TIMEOUT - 0.5


def test_slow_headers_are_cut_off_while_others_are_served(server, s3, bucket):
    baseline = open_fds(server)
    # 300 slowloris connections from ten loopback addresses (each under the per-client cap),
    # each dribbling one header line a second.
    slow = [connect(server, f"127.0.0.{2 + i % 10}") for i in range(300)]
    for s in slow:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    stop = threading.Event()

    def dribble():
        n = 0
        while not stop.wait(1.0) and n < 10:
            n += 1
            for s in slow:
                try:
                    s.sendall(b"X-Slow-%d: 1\r\n" % n)
                except OSError:
                    pass

    t = threading.Thread(target=dribble)
    t.start()
    # Meanwhile a normal client keeps working.
    latencies, errors = [], 0
    end = time.monotonic() + HEAD_TIMEOUT + 2
    i = 0
    while time.monotonic() < end and i < 2000:
        t0 = time.monotonic()
        try:
            s3.put_object(Bucket=bucket, Key=f"k{i % 10}", Body=b"x" * 1024)
            assert s3.get_object(Bucket=bucket, Key=f"k{i % 10}")["Body"].read() == b"x" * 1024
        except botocore.exceptions.BotoCoreError:
            errors += 1
        latencies.append(time.monotonic() - t0)
        i += 1
    cut = sum(closed_by_peer(s, 3) for s in slow)
    stop.set()
    t.join()
    for s in slow:
        s.close()
    q = statistics.quantiles(latencies, n=100)
    print(f"\nnormal client under 300 slow-header connections: {len(latencies)} PUT+GET, "
          f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, errors {errors}; cut off {cut}/300")
    assert errors == 0
    assert cut == 300
    time.sleep(0.5)
    assert open_fds(server) <= baseline + 5


def test_stalled_upload_is_aborted_and_commits_nothing(server, s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "stalled"}, ExpiresIn=60)
    parts = urllib.parse.urlsplit(url)
    s = connect(server)
    s.sendall(f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
              f"Content-Length: 100000\r\n\r\n".encode() + b"y" * 1000)
    s.settimeout(BODY_TIMEOUT + 5)
    answer = b""
    try:
        while b"</Error>" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    assert b"400" in answer.split(b"\r\n")[0] and b"<Code>RequestTimeout</Code>" in answer
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="stalled")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_client_that_stops_reading_a_large_get_is_dropped(server, s3, bucket):
    size = 32 * 1024 * 1024
    s3.put_object(Bucket=bucket, Key="big", Body=os.urandom(1024) * (size // 1024))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "big"}, ExpiresIn=60)
    parts = urllib.parse.urlsplit(url)
    baseline = open_fds(server)
    s = connect(server, rcvbuf=4096)
    s.sendall(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
    time.sleep(SEND_TIMEOUT + 3)  # read nothing
    received = 0
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    assert 0 < received < size, received
    time.sleep(0.5)
    assert open_fds(server) <= baseline + 2


def test_connection_caps_refuse_the_excess_only(server, s3):
    held = [connect(server, "127.0.0.50") for _ in range(PER_CLIENT)]
    extra = connect(server, "127.0.0.50")
    t0 = time.monotonic()
    assert closed_by_peer(extra, 1.0), "the connection past the per-client cap is closed at once"
    assert time.monotonic() - t0 < 1.0
    # Other addresses are not affected.
    assert s3.list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200
    other = connect(server, "127.0.0.51")
    other.sendall(b"GET /_health HTTP/1.1\r\nHost: x\r\n\r\n")
    other.settimeout(5)
    assert other.recv(4096).startswith(b"HTTP/1.1 200")
    other.close()
    # The refusals and the open connections show in /_metrics.
    import re
    import urllib.request
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": "_metrics"}, ExpiresIn=60)
    with urllib.request.urlopen(url) as r:
        text = r.read().decode()
    refused = float(re.search(r"^oos_connections_refused_total (\S+)$", text, re.M).group(1))
    open_now = float(re.search(r"^oos_connections_open (\S+)$", text, re.M).group(1))
    assert refused >= 1
    assert open_now >= PER_CLIENT  # the held ones, plus this request's
    for s in held:
        s.close()
    extra.close()
    # Freed places are reusable.
    time.sleep(0.3)
    again = connect(server, "127.0.0.50")
    again.sendall(b"GET /_health HTTP/1.1\r\nHost: x\r\n\r\n")
    again.settimeout(5)
    assert again.recv(4096).startswith(b"HTTP/1.1 200")
    again.close()
