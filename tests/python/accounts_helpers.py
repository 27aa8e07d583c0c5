"""Helpers for multi-account tests: accounts made with `oosd account create`, clients for
them, anonymous clients, and IAM calls as the SDK guide writes them."""

import json
import os
import subprocess
import urllib.parse

import boto3
import botocore
from botocore.config import Config

from conftest import ACCESS_KEY, ROOT, SECRET_KEY


def oosd_bin():
    return os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd"))


def create_account(oosd, name):
    """Runs `oosd account create NAME --json` against the running server's data directory."""
    r = subprocess.run([oosd_bin(), "account", "create", name, "--json", "--data-dir", str(oosd.data_dir)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def account_cmd(oosd, *args):
    r = subprocess.run([oosd_bin(), "account", *args, "--data-dir", str(oosd.data_dir)],
                       capture_output=True, text=True, timeout=60)
    return r


def s3_for(oosd, access_key, secret_key, signature_version="s3v4"):
    return oosd.client(signature_version, access_key=access_key, secret_key=secret_key)


def anonymous(oosd):
    return boto3.client("s3", endpoint_url=oosd.endpoint, region_name="cn",
                        config=Config(signature_version=botocore.UNSIGNED, s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}))


def iam_for(oosd, access_key=ACCESS_KEY, secret_key=SECRET_KEY, signature_version="v4"):
    return boto3.client("oosiam", endpoint_url=oosd.endpoint, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key, region_name="cn",
                        config=Config(signature_version=signature_version, retries={"max_attempts": 1}))


def encode_params(data):
    """The guide's helper: the form body of an IAM call."""
    return urllib.parse.urlencode(data)


def admin_call(endpoint, method, path, body=None, creds=(ACCESS_KEY, SECRET_KEY)):
    """A SigV4-signed call of the admin API; returns (status, parsed JSON or raw body)."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import urllib.error
    import urllib.request
    req = botocore.awsrequest.AWSRequest(method=method, url=endpoint + path, data=body,
                                         headers={"Content-Type": "application/json"} if body else {})
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(*creds), "s3", "cn").add_auth(req)
    try:
        with urllib.request.urlopen(urllib.request.Request(req.url, data=body, method=method, headers=dict(req.headers))) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def advance_clock(server, seconds):
    """Moves a `test_clock` server's clock forward."""
    status, body = admin_call(server.endpoint, "POST", "/_admin/clock",
                              body=json.dumps({"advance_seconds": seconds}).encode())
    assert status == 200, body
