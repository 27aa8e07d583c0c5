"""Starts a real oosd (the debug build, or OOSD_BIN) on a free port with a fresh data
directory, and hands out boto3 clients signed with SigV4 and SigV2."""

import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import uuid

import boto3
import botocore
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCESS_KEY = "OOSTESTROOTKEY000001"
SECRET_KEY = "oos-test-root-secret-0000000000000000000"

# The OOS operations for boto3: the shared copy when it is there, else ours.
_shared = ROOT.parent / "shared" / "oos-boto"
os.environ["AWS_DATA_PATH"] = str(_shared if _shared.exists() else ROOT / "tests" / "python" / "oos-boto")


class Oosd:
    """One oosd process on 127.0.0.1:<free port>."""

    def __init__(self, data_dir, config=None, extra_env=None, wrapper=None):
        self.data_dir = pathlib.Path(data_dir)
        # A command the server runs under (`strace …`): argv before oosd's own.
        self.wrapper = list(wrapper or [])
        self.config = config
        self.extra_env = extra_env or {}
        self.proc = None
        self.endpoint = None
        self.stdout_lines = []

    def start(self, listen="127.0.0.1:0"):
        binary = os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))
        env = dict(os.environ, OOS_ROOT_ACCESS_KEY=ACCESS_KEY, OOS_ROOT_SECRET_KEY=SECRET_KEY, OOS_LOG=os.environ.get("OOS_LOG", "warn"))
        env.update(self.extra_env)
        args = self.wrapper + [binary, "--listen", listen, "--data-dir", str(self.data_dir)]
        if self.config:
            args += ["--config", str(self.config)]
        # stderr goes to a file: an undrained pipe would block the server.
        self.log_path = pathlib.Path(tempfile.mkstemp(prefix="oosd-log-")[1])
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        for line in self.proc.stdout:
            self.stdout_lines.append(line)
            m = re.search(r"listening on (https?://\S+)", line)
            if m:
                self.endpoint = m.group(1)
                break
        else:
            self.proc.wait(timeout=30)
            raise RuntimeError("oosd did not start: " + self.log_path.read_text())
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [self.stdout_lines.append(l) for l in self.proc.stdout], daemon=True).start()
        return self

    def stop(self, sig="term"):
        if self.proc and self.proc.poll() is None:
            if sig == "kill":
                self.proc.kill()
            else:
                self.proc.terminate()
            self.proc.wait(timeout=60)
        return self.proc.returncode

    def client(self, signature_version="s3v4", **kw):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=kw.pop("access_key", ACCESS_KEY),
            aws_secret_access_key=kw.pop("secret_key", SECRET_KEY),
            region_name="cn",
            config=Config(signature_version=signature_version, s3={"addressing_style": "path"},
                          retries={"max_attempts": 1}, **kw),
            verify=False,
        )


@pytest.fixture(scope="session")
def oosd():
    d = tempfile.mkdtemp(prefix="oosd-py-")
    server = Oosd(d).start()
    yield server
    server.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def s3(oosd):
    return oosd.client("s3v4")


@pytest.fixture(scope="session")
def s3v2(oosd):
    return oosd.client("s3")


@pytest.fixture
def bucket(s3):
    name = "t-" + uuid.uuid4().hex[:16]
    s3.create_bucket(Bucket=name)
    yield name
    # Leave nothing behind: empty the bucket, abort uploads, delete it.
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys})
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def own_clock():
    """A server of its own with an advanceable clock (`test_clock = true`), so that moving its
    clock affects no other test."""
    d = tempfile.mkdtemp(prefix="oosd-clock-")
    with open(f"{d}/oosd.toml", "w") as f:
        f.write("test_clock = true\n")
    srv = Oosd(f"{d}/data", config=f"{d}/oosd.toml").start()
    yield srv
    srv.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fresh_dir():
    d = tempfile.mkdtemp(prefix="oosd-py-")
    yield pathlib.Path(d)
    shutil.rmtree(d, ignore_errors=True)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def refused(call, code, status=None, message=None):
    """Runs `call`, which must fail with `code` (and `status`, `message` when given)."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    assert error_code(e) == code, e.value.response
    if status is not None:
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if message is not None:
        assert e.value.response["Error"]["Message"] == message
    return e.value
