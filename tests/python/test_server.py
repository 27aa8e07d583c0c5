"""The oosd process: first start, restart, config errors, health, metrics, TLS, shutdown."""

import http.client
import os
import socket
import stat
import subprocess
import threading
import time
import urllib.request

import botocore
import pytest

from conftest import ACCESS_KEY, Oosd, ROOT, error_code


def test_first_start_generates_and_stores_root_keys(fresh_dir):
    binary = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OOS_ROOT_")}
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--data-dir", str(fresh_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "listening on" in line:
            break
    proc.terminate()
    proc.wait(timeout=30)
    text = "".join(lines)
    assert "root access key:" in text and "root secret key:" in text
    cred = fresh_dir / "root-credentials.toml"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    secret = [l.split(": ", 1)[1].strip() for l in lines if l.startswith("root secret key")][0]
    assert secret in cred.read_text()
    # A second start does not print the secret again.
    again = Oosd(fresh_dir).start()
    again.stop()
    assert not any("secret" in l for l in again.stdout_lines)


def test_restart_keeps_buckets_and_objects(fresh_dir):
    server = Oosd(fresh_dir).start()
    s3 = server.client()
    s3.create_bucket(Bucket="keep")
    s3.put_object(Bucket="keep", Key="small", Body=b"tiny")
    s3.put_object(Bucket="keep", Key="large", Body=b"L" * 3_000_000)
    assert server.stop() == 0
    server = Oosd(fresh_dir).start()
    s3 = server.client()
    assert s3.get_object(Bucket="keep", Key="small")["Body"].read() == b"tiny"
    assert s3.get_object(Bucket="keep", Key="large")["Body"].read() == b"L" * 3_000_000
    server.stop()


def test_kill_9_keeps_every_acknowledged_write(fresh_dir):
    server = Oosd(fresh_dir).start()
    s3 = server.client()
    s3.create_bucket(Bucket="crash")
    acked = {}
    for i in range(40):
        body = os.urandom(100 if i % 2 else 200_000)
        s3.put_object(Bucket="crash", Key=f"k{i}", Body=body)
        acked[f"k{i}"] = body
    server.stop(sig="kill")
    server = Oosd(fresh_dir).start()
    s3 = server.client()
    for k, body in acked.items():
        assert s3.get_object(Bucket="crash", Key=k)["Body"].read() == body
    server.stop()


def test_config_errors_are_one_line(fresh_dir):
    binary = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
    cfg = fresh_dir / "bad.toml"
    cfg.write_text('listen = "127.0.0.1:0"\nbogus_key = 1\n')
    r = subprocess.run([binary, "--config", str(cfg), "--data-dir", str(fresh_dir / "d")], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "bogus_key" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    cfg.write_text('listen = "not an address"\n')
    r = subprocess.run([binary, "--config", str(cfg), "--data-dir", str(fresh_dir / "d")], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "listen" in r.stderr


def test_port_in_use_is_a_clear_error(fresh_dir, oosd):
    binary = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
    addr = oosd.endpoint.split("//")[1]
    r = subprocess.run([binary, "--listen", addr, "--data-dir", str(fresh_dir)], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, OOS_ROOT_ACCESS_KEY="a", OOS_ROOT_SECRET_KEY="b"))
    assert r.returncode != 0
    assert "cannot listen on" in r.stderr and "in use" in r.stderr.lower()


def test_env_and_config_file(fresh_dir):
    cfg = fresh_dir / "oos.toml"
    cfg.write_text(f'listen = "127.0.0.1:1"\ndata_dir = "{fresh_dir / "from-file"}"\ndomains = ["oos.test"]\n')
    # The flag wins over the file's listen; data_dir comes from the file.
    server = Oosd(fresh_dir / "unused", config=cfg)
    server.data_dir = None
    binary = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
    env = dict(os.environ, OOS_ROOT_ACCESS_KEY="AK", OOS_ROOT_SECRET_KEY="SK", OOS_LISTEN="127.0.0.1:0", OOS_CONFIG=str(cfg))
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = ""
    for line in proc.stdout:
        if "listening on" in line:
            break
    proc.terminate()
    proc.wait(timeout=30)
    assert "listening on http://127.0.0.1:" in line
    assert (fresh_dir / "from-file" / "root-credentials.toml").exists()


def test_health_and_request_id(oosd):
    with urllib.request.urlopen(oosd.endpoint + "/_health") as r:
        assert r.status == 200
        assert r.headers["x-amz-request-id"]


def test_metrics_for_root_only(oosd, s3):
    s3.list_buckets()
    import urllib.error
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(oosd.endpoint + "/_metrics")
    assert e.value.code == 403
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": "_metrics"}, ExpiresIn=60)
    with urllib.request.urlopen(url) as r:
        text = r.read().decode()
    assert 'oos_requests_total{op="ListBuckets",status="200"}' in text
    assert "oos_request_duration_seconds_bucket" in text
    assert "oos_objects_stored" in text and "oos_bytes_stored" in text


def test_metrics_from_allowed_address(fresh_dir):
    cfg = fresh_dir / "m.toml"
    cfg.write_text('metrics_allow = ["127.0.0.0/8"]\n')
    server = Oosd(fresh_dir / "d", config=cfg).start()
    try:
        with urllib.request.urlopen(server.endpoint + "/_metrics") as r:
            assert r.status == 200
    finally:
        server.stop()


def test_sigterm_finishes_in_flight_request(fresh_dir):
    server = Oosd(fresh_dir).start()
    s3 = server.client()
    s3.create_bucket(Bucket="drain")
    host, port = server.endpoint.split("//")[1].split(":")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "drain", "Key": "slow"}, ExpiresIn=300)
    path = url.split(server.endpoint, 1)[1]
    body = b"s" * 1_000_000
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[:500_000])
    time.sleep(0.3)
    server.proc.terminate()          # SIGTERM while the upload is half sent
    time.sleep(0.3)
    conn.send(body[500_000:])
    resp = conn.getresponse()
    assert resp.status == 200
    assert server.proc.wait(timeout=30) == 0
    server = Oosd(fresh_dir).start()
    assert server.client().get_object(Bucket="drain", Key="slow")["Body"].read() == body
    server.stop()


def data_files(data_dir):
    return sorted(p.name for p in (data_dir / "data").glob("disk*/data/[0-9a-f][0-9a-f]/*"))


def test_overwritten_and_deleted_data_is_collected(fresh_dir):
    cfg = fresh_dir / "gc.toml"
    cfg.write_text("gc_grace_seconds = 1\n")
    server = Oosd(fresh_dir / "d", config=cfg).start()
    try:
        s3 = server.client()
        s3.create_bucket(Bucket="gcb")
        s3.put_object(Bucket="gcb", Key="a", Body=b"1" * 100_000)
        first = data_files(server.data_dir)
        assert len(first) == 1
        s3.put_object(Bucket="gcb", Key="a", Body=b"2" * 100_000)
        s3.put_object(Bucket="gcb", Key="b", Body=b"3" * 100_000)
        s3.delete_object(Bucket="gcb", Key="b")
        deadline = time.time() + 15
        while time.time() < deadline and len(data_files(server.data_dir)) != 1:
            time.sleep(0.5)
        remaining = data_files(server.data_dir)
        assert len(remaining) == 1 and remaining != first
        assert s3.get_object(Bucket="gcb", Key="a")["Body"].read() == b"2" * 100_000
    finally:
        server.stop()


def test_log_on_a_pipe_has_no_colour_escapes(fresh_dir):
    server = Oosd(fresh_dir / "data", extra_env={"OOS_LOG": "info"}).start()
    s3 = server.client()
    s3.create_bucket(Bucket="logs-plain")
    server.stop()
    text = server.log_path.read_text()
    assert "migration" in text  # something was logged at info
    assert "\x1b[" not in text


def test_json_log_format(fresh_dir):
    import json
    cfg = fresh_dir / "oosd.toml"
    cfg.write_text('log_format = "json"\n')
    server = Oosd(fresh_dir / "data", config=cfg, extra_env={"OOS_LOG": "info"}).start()
    server.stop()
    lines = [l for l in server.log_path.read_text().splitlines() if l.strip()]
    assert lines
    records = [json.loads(l) for l in lines]  # every line is one JSON object
    assert all("level" in r and "fields" in r for r in records)
    assert any("migration" in json.dumps(r) for r in records)
    cfg.write_text('log_format = "xml"\n')
    r = subprocess.run([os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd")), "--config", str(cfg),
                        "--data-dir", str(fresh_dir / "data"), "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "log_format" in r.stderr
