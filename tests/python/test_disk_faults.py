"""Failing disks, at chosen points: oosd runs under `fiu-run -x` (Debian's fiu-utils) and one
libc call at a time is made to fail (EIO or ENOSPC). A write whose data or metadata cannot be
made durable is never acknowledged and leaves nothing visible; a read that fails is a 5xx and
does not cost the data (a transient EIO must not move a good shard aside); the server keeps
serving once the fault is gone. Random faults under load: scripts/fault-campaign (a short run
is the last test here)."""

import json
import os
import shutil
import subprocess
import sys

import botocore
import pytest

from conftest import ROOT, Oosd

EIO, ENOSPC = 5, 28


@pytest.fixture
def faulty(fresh_dir):
    assert shutil.which("fiu-run"), "fiu-utils is needed (installed by .ci/run)"
    ctrl = str(fresh_dir / "fiu-ctrl")
    srv = Oosd(fresh_dir / "data", wrapper=["fiu-run", "-x", "-f", ctrl]).start()

    def fiu(command):
        r = subprocess.run(["fiu-ctrl", "-f", ctrl, "-c", command, str(srv.proc.pid)],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 0, r.stderr

    srv.fiu = fiu
    yield srv
    srv.stop()
    assert "panicked" not in srv.log_path.read_text(errors="replace")


def status(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("point,errno,size", [
    ("posix/io/sync/fsync", EIO, 1000),          # the metadata commit's WAL sync
    ("posix/io/sync/fsync", EIO, 2_000_000),     # the data file's fsync
    ("posix/io/dir/rename", EIO, 2_000_000),     # publishing the data file
    ("posix/io/oc/open", ENOSPC, 2_000_000),     # creating the data file
    ("posix/io/rw/pwrite", ENOSPC, 2_000_000),   # the data file's header
])
def test_a_write_that_cannot_be_made_durable_is_not_acknowledged(faulty, point, errno, size):
    s3 = faulty.client()
    s3.create_bucket(Bucket="faults")
    s3.put_object(Bucket="faults", Key="k", Body=b"old")
    faulty.fiu(f"enable name={point},failinfo={errno}")
    got = status(lambda: s3.put_object(Bucket="faults", Key="k", Body=os.urandom(size)))
    faulty.fiu(f"disable name={point}")
    assert 500 <= got < 600, got
    # Nothing of the failed write is visible: the old object is whole.
    assert s3.get_object(Bucket="faults", Key="k")["Body"].read() == b"old"
    body = os.urandom(size)
    s3.put_object(Bucket="faults", Key="k", Body=body)
    assert s3.get_object(Bucket="faults", Key="k")["Body"].read() == body


@pytest.mark.parametrize("storage_class", ["STANDARD", "EC_4_2"])
def test_a_failed_read_is_a_5xx_and_costs_no_data(faulty, storage_class):
    s3 = faulty.client()
    s3.create_bucket(Bucket="reads")
    body = os.urandom(3_000_000)
    s3.put_object(Bucket="reads", Key="k", Body=body, StorageClass=storage_class)
    faulty.fiu(f"enable name=posix/io/rw/pread,failinfo={EIO}")
    with pytest.raises(Exception) as e:
        s3.get_object(Bucket="reads", Key="k")["Body"].read()
    if isinstance(e.value, botocore.exceptions.ClientError):
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] >= 500
    faulty.fiu("disable name=posix/io/rw/pread")
    # The shards were unreadable, not wrong: they are all still in place and read back.
    quarantined = list((faulty.data_dir / "data").glob("disk*/quarantine/*"))
    assert quarantined == [], quarantined
    assert s3.get_object(Bucket="reads", Key="k")["Body"].read() == body


def test_reads_reconstruct_around_random_shard_read_failures(faulty):
    s3 = faulty.client()
    s3.create_bucket(Bucket="ecreads")
    body = os.urandom(4_000_000)
    s3.put_object(Bucket="ecreads", Key="k", Body=body, StorageClass="EC_4_2")
    faulty.fiu(f"enable_random name=posix/io/rw/pread,probability=0.05,failinfo={EIO}")
    good = 0
    for _ in range(20):
        try:
            got = s3.get_object(Bucket="ecreads", Key="k")["Body"].read()
        except Exception:  # noqa: BLE001 - a failed read is allowed; wrong bytes are not
            continue
        assert got == body
        good += 1
    faulty.fiu("disable name=posix/io/rw/pread")
    # With 2 parity shards of 6, most reads get through a 5 % shard-read failure rate.
    assert good >= 10, good
    assert s3.get_object(Bucket="ecreads", Key="k")["Body"].read() == body


def test_short_random_fault_campaign(tmp_path):
    report = tmp_path / "report.json"
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "fault-campaign"), "--seconds", "15",
                        "--workers", "3", "--json-report", str(report)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    got = json.loads(report.read_text())
    assert got["requests"] > 50 and got["violations"] == [] and got["panics"] == 0
    assert got["sqlite_integrity"] == "ok" and got["keys_checked"] > 0
    assert sum(got["failed"].values()) > 0, "faults were injected and seen"
