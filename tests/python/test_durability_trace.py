"""Durability, shown: the server runs under strace while it takes a PUT, the parts and the
completion of a multipart upload, and a DELETE, and the trace must show, for each, the order
that makes an acknowledgement safe: every data file fsynced → renamed into place → its
directory fsynced → the metadata commit (the SQLite WAL synced) → the response. A change that
drops or reorders a step fails here, whatever its own tests say."""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import Oosd

STRACE = shutil.which("strace")
MIB = 1024 * 1024

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+) (.*)$")
CALL = re.compile(r"^(\w+)\((.*)\) = (-?\w+)(?: [A-Z]\w+ \(.*?\))? <(\d+\.\d+)>$")
UNFINISHED = re.compile(r"^(\w+)\((.*) <unfinished \.\.\.>$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)\) = (-?\w+)(?: [A-Z]\w+ \(.*?\))? <(\d+\.\d+)>$")


class Call:
    def __init__(self, name, args, start, duration, result):
        self.name, self.args, self.start, self.end, self.result = name, args, start, start + duration, result

    def __repr__(self):
        return f"{self.start:.6f} {self.name}({self.args[:120]})"


def parse(path):
    """Every completed call of the trace, with its start and end times (threads interleave:
    an unfinished call is joined with its resumption)."""
    calls, pending = [], {}
    for raw in open(path, errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        tid, ts, rest = m.group(1), float(m.group(2)), m.group(3)
        if c := CALL.match(rest):
            calls.append(Call(c.group(1), c.group(2), ts, float(c.group(4)), c.group(3)))
        elif u := UNFINISHED.match(rest):
            pending[tid] = (u.group(1), u.group(2), ts)
        elif r := RESUMED.match(rest):
            name, args, start = pending.pop(tid, (r.group(1), "", ts))
            # -T on a resumed line is the whole call's time.
            calls.append(Call(name, args + r.group(2), start, float(r.group(4)), r.group(3)))
    return sorted(calls, key=lambda c: c.start)


def fd_path(call):
    """The path strace -y printed for the call's first (fd) argument."""
    m = re.match(r"\d+<(.*?)>", call.args)
    return m.group(1) if m else ""


def syncs(calls):
    return [c for c in calls if c.name in ("fsync", "fdatasync") and c.result == "0"]


def check_write_path(calls, data_dir, what, with_data=True):
    """`calls` are one request's: data fsync → rename → directory fsync → WAL sync → 200."""
    responses = [c for c in calls if c.name in ("write", "writev", "sendto", "sendmsg")
                 and "TCP:" in c.args and re.search(r'"HTTP/1\.1 20[04]', c.args)]
    assert len(responses) == 1, f"{what}: one response in its window: {responses}"
    response = responses[0]
    wal = [c for c in syncs(calls) if fd_path(c).endswith("meta.sqlite-wal")]
    assert wal, f"{what}: the metadata commit syncs the WAL"
    commit = max((c for c in wal if c.end <= response.start), key=lambda c: c.end, default=None)
    assert commit is not None, f"{what}: the WAL is synced before the response ({wal} vs {response})"
    if not with_data:
        return
    def shard_rename(c):
        paths = re.findall(r'"([^"]+)"', c.args)[:2]
        rel = [os.path.relpath(p, data_dir) for p in paths]
        return len(rel) == 2 and re.match(r"data/disk\d+/tmp/", rel[0]) and re.match(r"data/disk\d+/data/", rel[1])

    renames = [c for c in calls if c.name in ("rename", "renameat", "renameat2") and c.result == "0"
               and shard_rename(c)]
    assert renames, f"{what}: its data files are renamed into place"
    for rename in renames:
        tmp, target = re.findall(r'"([^"]+)"', rename.args)[:2]
        data_sync = [c for c in syncs(calls) if fd_path(c) == tmp and c.end <= rename.start]
        assert data_sync, f"{what}: {tmp} is fsynced before its rename"
        directory = os.path.dirname(target)
        dir_sync = [c for c in syncs(calls) if fd_path(c) == directory and c.start >= rename.end]
        assert dir_sync, f"{what}: {directory} is fsynced after the rename"
        assert min(c.end for c in dir_sync) <= commit.start, \
            f"{what}: the directory fsync ends before the metadata commit"


@pytest.fixture
def traced(fresh_dir):
    assert STRACE, "strace is needed (installed by .ci/run)"
    trace = fresh_dir / "trace.txt"
    wrapper = [STRACE, "-f", "-qq", "-ttt", "-T", "-yy", "-s", "40", "-o", str(trace), "-e",
               "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendto,sendmsg,unlink,unlinkat"]
    srv = Oosd(fresh_dir / "data", wrapper=wrapper).start()
    yield srv, trace
    # SIGTERM to strace would detach and leave oosd running: stop oosd itself.
    for child in subprocess.run(["pgrep", "-P", str(srv.proc.pid)], capture_output=True, text=True).stdout.split():
        os.kill(int(child), signal.SIGTERM)
    srv.proc.wait(timeout=60)


def window(s3_call):
    start = time.time()
    out = s3_call()
    return out, (start, time.time())


def test_acknowledged_writes_are_durable_in_order(traced):
    srv, trace = traced
    s3 = srv.client()
    s3.create_bucket(Bucket="traced")
    time.sleep(0.3)  # the bucket's commit, apart from what follows
    body = os.urandom(MIB)
    put, put_at = window(lambda: s3.put_object(Bucket="traced", Key="one", Body=body))
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    up = s3.create_multipart_upload(Bucket="traced", Key="mp")["UploadId"]
    parts, part_at = [], []
    for n in (1, 2):
        r, at = window(lambda: s3.upload_part(Bucket="traced", Key="mp", UploadId=up, PartNumber=n,
                                              Body=os.urandom(5 * MIB)))
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
        part_at.append(at)
    _, done_at = window(lambda: s3.complete_multipart_upload(Bucket="traced", Key="mp", UploadId=up,
                                                           MultipartUpload={"Parts": parts}))
    _, delete_at = window(lambda: s3.delete_object(Bucket="traced", Key="one"))
    time.sleep(0.5)  # strace writes its last lines

    calls = parse(trace)
    assert len(calls) > 20, "the trace has the server's calls"

    def during(at):
        return [c for c in calls if at[0] <= c.start <= at[1]]

    check_write_path(during(put_at), srv.data_dir, "PUT")
    for i, at in enumerate(part_at):
        check_write_path(during(at), srv.data_dir, f"part {i + 1}")
    check_write_path(during(done_at), srv.data_dir, "CompleteMultipartUpload", with_data=False)
    check_write_path(during(delete_at), srv.data_dir, "DELETE", with_data=False)
    # A delete unlinks no data before it is acknowledged: the collector does, after the grace.
    unlinked = [c for c in during(delete_at) if c.name in ("unlink", "unlinkat") and "/data/" in c.args]
    assert unlinked == [], unlinked


def counters(srv, s3):
    """The data plane's syncs and renames and the metadata commits so far, from /_metrics."""
    import urllib.request
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": "_metrics"}, ExpiresIn=60)
    with urllib.request.urlopen(url) as r:
        text = r.read().decode()
    def value(series):
        m = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.M)
        return int(float(m.group(1))) if m else 0  # a counter appears with its first event
    return {
        "file": value('oos_store_syncs_total{kind="file"}'),
        "dir": value('oos_store_syncs_total{kind="dir"}'),
        "rename": value("oos_store_renames_total"),
        "commit": value("oos_meta_commits_total"),
    }


def test_sync_counts_per_object(fresh_dir):
    """What durability costs, per acknowledged object, counted by the server itself: one file
    fsync, one rename and one directory fsync per shard file, one metadata commit per request,
    and nothing of the data plane for a small object kept inline in its metadata row."""
    srv = Oosd(fresh_dir / "data").start()
    try:
        s3 = srv.client()
        s3.create_bucket(Bucket="counted")

        def cost(call):
            before = counters(srv, s3)
            call()
            after = counters(srv, s3)
            return {k: after[k] - before[k] for k in after}

        def put(key, size, **kw):
            return lambda: s3.put_object(Bucket="counted", Key=key, Body=os.urandom(size), **kw)

        # 4 KiB: inline, one commit, no file.
        assert cost(put("small", 4096)) == {"file": 0, "dir": 0, "rename": 0, "commit": 1}
        # 1 MiB and 64 MiB single copies: one shard file each.
        assert cost(put("one", MIB)) == {"file": 1, "dir": 1, "rename": 1, "commit": 1}
        assert cost(put("big", 64 * MIB)) == {"file": 1, "dir": 1, "rename": 1, "commit": 1}
        # EC_4_2: six shard files, each synced once, renamed once, its directory synced once.
        assert cost(put("ec", MIB, StorageClass="EC_4_2")) == \
            {"file": 6, "dir": 6, "rename": 6, "commit": 1}
        # Multipart: each part is a shard file and a commit; the completion only a commit.
        up = s3.create_multipart_upload(Bucket="counted", Key="mp")["UploadId"]
        parts = []
        for n in (1, 2):
            part = cost(lambda: parts.append(s3.upload_part(
                Bucket="counted", Key="mp", UploadId=up, PartNumber=n, Body=os.urandom(5 * MIB))))
            assert part == {"file": 1, "dir": 1, "rename": 1, "commit": 1}, part
        done = cost(lambda: s3.complete_multipart_upload(
            Bucket="counted", Key="mp", UploadId=up,
            MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": p["ETag"]} for i, p in enumerate(parts)]}))
        assert done == {"file": 0, "dir": 0, "rename": 0, "commit": 1}, done
    finally:
        srv.stop()
