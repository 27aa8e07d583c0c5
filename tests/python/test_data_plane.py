"""The data plane over the wire: storage classes as EC layouts on a pool of six disks, lost and
corrupted disks, heal, scrub, degraded writes, and crashes during concurrent writes."""

import hashlib
import os
import random
import shutil
import subprocess
import threading
import time

import botocore
import pytest

from accounts_helpers import admin_call
from conftest import Oosd, error_code

MIB = 1024 * 1024
DISKS = 6


def pool_config(root, disks=DISKS):
    paths = [root / f"disk{i}" for i in range(disks)]
    for p in paths:
        p.mkdir(parents=True, exist_ok=True)
    cfg = root / "pool.toml"
    cfg.write_text('[[pool]]\nname = "cd"\ndisks = [%s]\nclasses = { REDUCED_REDUNDANCY = "EC_2_0" }\n'
                   % ", ".join(f'"{p}"' for p in paths))
    return cfg, paths


def shard_files(disk):
    return sorted((disk / "data").glob("[0-9a-f][0-9a-f]/*"))


def wait_for(cond, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def pool_server(fresh_dir):
    cfg, disks = pool_config(fresh_dir)
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    server.disks = disks
    yield server
    server.stop()


def put_all(s3, bucket, layouts, size):
    objects = {}
    for cls in layouts:
        body = os.urandom(size)
        s3.put_object(Bucket=bucket, Key=cls, Body=body, StorageClass=cls)
        objects[cls] = body
    return objects


def test_storage_classes_select_layouts(pool_server):
    s3 = pool_server.client()
    s3.create_bucket(Bucket="classes")
    for cls, shards in [("EC_2_1", 3), ("EC_4_2", 6), ("EC_3_0", 3), ("STANDARD", 6), ("REDUCED_REDUNDANCY", 2)]:
        before = sum(len(shard_files(d)) for d in pool_server.disks)
        s3.put_object(Bucket="classes", Key=cls, Body=os.urandom(300_000), StorageClass=cls)
        after = sum(len(shard_files(d)) for d in pool_server.disks)
        assert after - before == shards, cls
        assert s3.head_object(Bucket="classes", Key=cls).get("StorageClass", "STANDARD") == cls
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket="classes")["Contents"]}
    assert listed["EC_4_2"] == "EC_4_2" and listed["STANDARD"] == "STANDARD"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket="classes", Key="x", Body=b"x" * 100_000, StorageClass="EC_4_4")
    assert error_code(e) == "InvalidStorageClass"
    assert "needs 8 disks" in e.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_multipart_upload(Bucket="classes", Key="m", StorageClass="EC_9_9")
    assert error_code(e) == "InvalidStorageClass"


@pytest.mark.parametrize("layout,parity", [("EC_2_1", 1), ("EC_4_2", 2), ("EC_3_0", 2)])
def test_damage_up_to_m_shards_reads_exact_and_heals(pool_server, layout, parity):
    s3 = pool_server.client()
    s3.create_bucket(Bucket="dmg")
    body = os.urandom(3 * MIB + 17)
    s3.put_object(Bucket="dmg", Key="o", Body=body, StorageClass=layout)
    holders = [d for d in pool_server.disks if shard_files(d)]
    rng = random.Random(7)
    victims = rng.sample(holders, parity)
    # One disk loses its files, the others get flipped bytes or truncation.
    for i, disk in enumerate(victims):
        for f in shard_files(disk):
            if i == 0:
                f.unlink()
            elif i == 1:
                data = bytearray(f.read_bytes())
                for _ in range(20):
                    data[rng.randrange(64, len(data))] ^= 0xFF
                f.write_bytes(bytes(data))
            else:
                with open(f, "r+b") as fh:
                    fh.truncate(os.path.getsize(f) // 2)
    assert s3.get_object(Bucket="dmg", Key="o")["Body"].read() == body
    ranged = s3.get_object(Bucket="dmg", Key="o", Range="bytes=1048570-2097160")["Body"].read()
    assert ranged == body[1048570:2097161]
    # Reads queue the damage they meet; parity shards a read never touched are found by the
    # scrubber. The heal worker rebuilds both; then M *other* shards may go.
    status, report = admin_call(pool_server.endpoint, "POST", "/_admin/scrub")
    assert status == 200 and report["lost"] == []
    def healed():
        return all(shard_files(d) and all(os.path.getsize(f) == os.path.getsize(shard_files(others_ref[0])[0])
                                          for f in shard_files(d)) for d in victims)
    others_ref = [d for d in holders if d not in victims]
    assert wait_for(healed), "healed shards are back, whole"
    others = [d for d in holders if d not in victims][:parity]
    for disk in others:
        for f in shard_files(disk):
            f.unlink()
    assert s3.get_object(Bucket="dmg", Key="o")["Body"].read() == body


def test_more_than_m_lost_fails_never_wrong_bytes(pool_server):
    s3 = pool_server.client()
    s3.create_bucket(Bucket="lost")
    body = os.urandom(2 * MIB)
    s3.put_object(Bucket="lost", Key="o", Body=body, StorageClass="EC_2_1")
    holders = [d for d in pool_server.disks if shard_files(d)]
    for disk in holders[:2]:
        for f in shard_files(disk):
            data = bytearray(f.read_bytes())
            data[100] ^= 0x01
            f.write_bytes(bytes(data))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket="lost", Key="o")["Body"].read()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error_code(e) == "InternalError"
    quarantined = [f for d in pool_server.disks for f in (d / "quarantine").glob("*")]
    assert quarantined, "corrupt shard files are kept aside, never deleted"


def test_scrub_and_pool_status(pool_server):
    s3 = pool_server.client()
    s3.create_bucket(Bucket="scrub")
    s3.put_object(Bucket="scrub", Key="o", Body=os.urandom(500_000), StorageClass="EC_4_2")
    status, pools = admin_call(pool_server.endpoint, "GET", "/_admin/pool")
    assert status == 200 and len(pools["pools"]) == 1
    pool = pools["pools"][0]
    assert pool["pool"] == "cd" and pool["region"] == "ChengDu" and len(pool["disks"]) == DISKS
    assert all(d["state"] == "Online" and d["free_bytes"] > 0 for d in pool["disks"])
    victim = next(d for d in pool_server.disks if shard_files(d))
    for f in shard_files(victim):
        f.unlink()
    status, report = admin_call(pool_server.endpoint, "POST", "/_admin/scrub")
    assert status == 200 and report["scrubbed"] >= 1 and len(report["damaged"]) == 1 and report["lost"] == []
    assert wait_for(lambda: shard_files(victim)), "scrub queued the damage and heal rebuilt it"
    status, report = admin_call(pool_server.endpoint, "POST", "/_admin/scrub")
    assert report["damaged"] == []
    # The same through the oosd commands, against the running server.
    import json
    from accounts_helpers import oosd_bin
    common = ["--listen", pool_server.endpoint.split("//")[1], "--data-dir", str(pool_server.data_dir),
              "--config", str(pool_server.config)]
    out = subprocess.run([oosd_bin(), "pool", "status", *common], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["pools"][0]["disks"]) == DISKS
    out = subprocess.run([oosd_bin(), "pool", "scrub", *common], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["scrubbed"] >= 1


def test_degraded_pool_writes_at_quorum_and_refuses_below(fresh_dir):
    cfg, disks = pool_config(fresh_dir)
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    s3 = server.client()
    s3.create_bucket(Bucket="deg")
    server.stop()
    shutil.rmtree(disks[0])  # an unmounted disk
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    try:
        s3 = server.client()
        body = os.urandom(1 * MIB)
        s3.put_object(Bucket="deg", Key="ok", Body=body, StorageClass="EC_4_2")
        assert s3.get_object(Bucket="deg", Key="ok")["Body"].read() == body
        status, pool = admin_call(server.endpoint, "GET", "/_admin/pool")
        assert [d["state"] for d in pool["pools"][0]["disks"]].count("Missing") == 1
        assert pool["heal_queue"] >= 1, "the shard the missing disk did not get waits for a heal"
    finally:
        server.stop()
    for d in disks[1:3]:
        shutil.rmtree(d)
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    try:
        s3 = server.client()
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_object(Bucket="deg", Key="no", Body=os.urandom(MIB), StorageClass="EC_4_2")
        assert error_code(e) == "SlowDown"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        with pytest.raises(botocore.exceptions.ClientError):
            s3.head_object(Bucket="deg", Key="no")
    finally:
        server.stop()


def test_crash_during_concurrent_puts_and_completions(fresh_dir):
    """kill -9 at random points during concurrent EC_2_1 PUTs and multipart completions,
    50 rounds with a fixed seed: every acknowledged object reads back exactly, nothing
    unacknowledged is half-visible."""
    cfg, disks = pool_config(fresh_dir)
    rng = random.Random(2026)
    acked = {}
    rounds = int(os.environ.get("OOS_CRASH_ROUNDS", "50"))
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    server.client().create_bucket(Bucket="crash")
    server.stop()
    for rnd in range(rounds):
        server = Oosd(fresh_dir / "meta", config=cfg).start()
        lock = threading.Lock()
        stop = threading.Event()

        def worker(wid):
            s3 = server.client()
            n = 0
            while not stop.is_set():
                key = f"r{rnd}-w{wid}-{n}"
                n += 1
                body = hashlib.sha256(key.encode()).digest() * (1 + (n * 997) % 20000)
                try:
                    if n % 5 == 0:
                        uid = s3.create_multipart_upload(Bucket="crash", Key=key, StorageClass="EC_2_1")["UploadId"]
                        e1 = s3.upload_part(Bucket="crash", Key=key, UploadId=uid, PartNumber=1, Body=body)["ETag"]
                        s3.complete_multipart_upload(Bucket="crash", Key=key, UploadId=uid,
                                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
                    else:
                        s3.put_object(Bucket="crash", Key=key, Body=body, StorageClass="EC_2_1")
                except Exception:
                    return
                with lock:
                    acked[key] = hashlib.md5(body).hexdigest()

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.05, 0.4))
        server.stop(sig="kill")
        stop.set()
        for t in threads:
            t.join(timeout=30)
    server = Oosd(fresh_dir / "meta", config=cfg).start()
    try:
        s3 = server.client()
        for key, md5 in acked.items():
            body = s3.get_object(Bucket="crash", Key=key)["Body"].read()
            assert hashlib.md5(body).hexdigest() == md5, key
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="crash"):
            for o in page.get("Contents", []):
                body = s3.get_object(Bucket="crash", Key=o["Key"])["Body"].read()
                assert len(body) == o["Size"], f"{o['Key']} is whole"
        assert len(acked) >= rounds, "the rounds acknowledged writes"
    finally:
        server.stop()


def test_full_disk_is_507_and_recovers_after_deletes(fresh_dir):
    """A small tmpfs disk fills up: the client gets 507, existing objects and metadata are
    intact, and once objects are deleted (and collected) writes succeed again."""
    disk = fresh_dir / "small"
    disk.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(disk)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
    try:
        cfg = fresh_dir / "full.toml"
        cfg.write_text(f'gc_grace_seconds = 1\n[[pool]]\nname = "small"\ndisks = ["{disk}"]\n')
        server = Oosd(fresh_dir / "meta", config=cfg).start()
        try:
            s3 = server.client()
            s3.create_bucket(Bucket="full")
            stored = {}
            code = None
            for i in range(20):
                body = os.urandom(2 * MIB)
                try:
                    s3.put_object(Bucket="full", Key=f"o{i}", Body=body)
                    stored[f"o{i}"] = body
                except botocore.exceptions.ClientError as e:
                    code = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
                    break
            assert code is not None and code[:2] == ("InsufficientStorage", 507), code
            assert "space" in code[2]
            assert 2 <= len(stored) < 20
            with pytest.raises(botocore.exceptions.ClientError):
                s3.head_object(Bucket="full", Key=f"o{len(stored)}")
            for key, body in stored.items():
                assert s3.get_object(Bucket="full", Key=key)["Body"].read() == body
            assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="full")["Contents"]) == sorted(stored)
            assert list((disk / "tmp").iterdir()) == [], "the failed write left nothing behind"
            for key in list(stored)[:3]:
                s3.delete_object(Bucket="full", Key=key)
            body = os.urandom(2 * MIB)
            def retry():
                try:
                    s3.put_object(Bucket="full", Key="after", Body=body)
                    return True
                except botocore.exceptions.ClientError:
                    return False
            assert wait_for(retry, timeout=20), "writes work again once space is freed"
            assert s3.get_object(Bucket="full", Key="after")["Body"].read() == body
        finally:
            server.stop()
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_read_only_disk_serves_reads_and_gets_no_new_shards(fresh_dir):
    cfg, disks = pool_config(fresh_dir)
    ro = disks[0]
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(ro)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        server = Oosd(fresh_dir / "meta", config=cfg).start()
        s3 = server.client()
        s3.create_bucket(Bucket="robucket")
        before = {}
        for i in range(6):
            before[f"b{i}"] = os.urandom(400_000)
            s3.put_object(Bucket="robucket", Key=f"b{i}", Body=before[f"b{i}"], StorageClass="EC_4_2")
        server.stop()
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        server = Oosd(fresh_dir / "meta", config=cfg).start()
        try:
            status, pool = admin_call(server.endpoint, "GET", "/_admin/pool")
            assert [d["state"] for d in pool["pools"][0]["disks"]].count("ReadOnly") == 1
            s3 = server.client()
            for key, body in before.items():
                assert s3.get_object(Bucket="robucket", Key=key)["Body"].read() == body
            shards_on_ro = len(shard_files(ro))
            after = os.urandom(400_000)
            s3.put_object(Bucket="robucket", Key="after", Body=after, StorageClass="EC_4_2")
            assert s3.get_object(Bucket="robucket", Key="after")["Body"].read() == after
            assert len(shard_files(ro)) == shards_on_ro, "no new shard on the read-only disk"
        finally:
            server.stop()
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


@pytest.mark.parametrize("layout", ["EC_2_1", "EC_4_2", "EC_3_0"])
def test_encrypted_objects_read_degraded_and_after_heal(pool_server, layout):
    """Encryption sits above the layouts: an SSE-S3 and an SSE-C object read exactly with a
    disk lost, are healed like any object, and read exactly again with another disk lost."""
    s3 = pool_server.client()
    s3.create_bucket(Bucket="sealed")
    key = os.urandom(32)
    ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    body = os.urandom(3 * MIB + 17)
    s3.put_object(Bucket="sealed", Key="s3", Body=body, StorageClass=layout, ServerSideEncryption="AES256")
    s3.put_object(Bucket="sealed", Key="c", Body=body, StorageClass=layout, **ssec)
    holders = [d for d in pool_server.disks if shard_files(d)]
    first, second = holders[0], holders[1]

    def read_back():
        assert s3.get_object(Bucket="sealed", Key="s3")["Body"].read() == body
        assert s3.get_object(Bucket="sealed", Key="c", **ssec)["Body"].read() == body
        ranged = s3.get_object(Bucket="sealed", Key="c", Range="bytes=1048570-2097160", **ssec)["Body"].read()
        assert ranged == body[1048570:2097161]

    lost = shard_files(first)
    for f in lost:
        f.unlink()
    read_back()
    status, report = admin_call(pool_server.endpoint, "POST", "/_admin/scrub")
    assert status == 200 and report["lost"] == []
    assert wait_for(lambda: len(shard_files(first)) == len(lost)), "heal rebuilt the lost shards"
    for f in shard_files(second):
        f.unlink()
    read_back()
