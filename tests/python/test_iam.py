"""The IAM AccessKey API through boto3 with the OOS `oosiam` model, as the SDK guide calls it."""

import sqlite3
import uuid

import botocore
import pytest

from accounts_helpers import create_account, encode_params, iam_for, s3_for
from conftest import error_code


@pytest.fixture
def account(oosd):
    """A fresh account (its own key quota and primary key) per test."""
    a = create_account(oosd, "iam-" + uuid.uuid4().hex[:8])
    return a


def test_guide_access_key_calls(oosd, account):
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    # 4.4.1 Create AccessKey
    created = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))
    key = created["CreateAccessKeyResult"]["AccessKey"]
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    assert key["UserName"] == account["account"]
    # The new key works for S3 (within its own key prefix: it is not primary).
    s3 = s3_for(oosd, key["AccessKeyId"], key["SecretAccessKey"])
    owner_s3 = s3_for(oosd, account["access_key"], account["secret_key"])
    owner_s3.create_bucket(Bucket="b-" + account["account"])
    s3.put_object(Bucket="b-" + account["account"], Key=key["AccessKeyId"] + "/x", Body=b"1")
    # 4.4.4 List AccessKey: no secrets
    listed = iam.list_access_key(Body=encode_params({"Action": "ListAccessKey", "MaxItems": 10}))
    result = listed["ListAccessKeysResult"]
    ids = [m["AccessKeyId"] for m in result["AccessKeyMetadata"]]
    assert sorted(ids) == sorted([account["access_key"], key["AccessKeyId"]])
    assert "SecretAccessKey" not in str(listed)
    # 4.4.3 Update AccessKey: disable, then the key is refused at once
    iam.update_access_key(Body=encode_params({"Action": "UpdateAccessKey", "AccessKeyId": key["AccessKeyId"],
                                              "Status": "Inactive", "IsPrimary": False}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_buckets()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # 4.4.2 Delete AccessKey
    iam.delete_access_key(Body=encode_params({"Action": "DeleteAccessKey", "AccessKeyId": key["AccessKeyId"]}))
    listed = iam.list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
    assert [m["AccessKeyId"] for m in listed["ListAccessKeysResult"]["AccessKeyMetadata"]] == [account["access_key"]]


def test_quota_and_pagination(oosd, account):
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    for _ in range(9):
        iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))
    assert error_code(e) == "LimitExceeded"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    seen, marker = [], None
    while True:
        params = {"Action": "ListAccessKeys", "MaxItems": 4}
        if marker:
            params["Marker"] = marker
        page = iam.list_access_key(Body=encode_params(params))["ListAccessKeysResult"]
        seen += [m["AccessKeyId"] for m in page["AccessKeyMetadata"]]
        if page["IsTruncated"] in (False, "false"):
            break
        marker = page["Marker"]
    assert len(seen) == 10 and len(set(seen)) == 10 and seen == sorted(seen)


def test_last_primary_key_is_protected(oosd, account):
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    for params in ({"Action": "UpdateAccessKey", "AccessKeyId": account["access_key"], "Status": "Inactive"},
                   {"Action": "UpdateAccessKey", "AccessKeyId": account["access_key"], "Status": "Active", "IsPrimary": "false"},
                   {"Action": "DeleteAccessKey", "AccessKeyId": account["access_key"]}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            iam.update_access_key(Body=encode_params(params)) if params["Action"] == "UpdateAccessKey" \
                else iam.delete_access_key(Body=encode_params(params))
        assert error_code(e) == "DeleteConflict"
    # Promote a second key; then the first may go.
    second = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))["CreateAccessKeyResult"]["AccessKey"]
    iam.update_access_key(Body=encode_params({"Action": "UpdateAccessKey", "AccessKeyId": second["AccessKeyId"],
                                              "Status": "Active", "IsPrimary": "true"}))
    iam2 = iam_for(oosd, second["AccessKeyId"], second["SecretAccessKey"])
    iam2.delete_access_key(Body=encode_params({"Action": "DeleteAccessKey", "AccessKeyId": account["access_key"]}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_errors(oosd, account):
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    cases = [
        ({"Action": "DeleteAccessKey", "AccessKeyId": "0000000000000000ffff"}, "NoSuchEntity", 404),
        ({"Action": "DeleteAccessKey"}, "ValidationError", 400),
        ({"Action": "DeleteAccessKey", "AccessKeyId": "short"}, "ValidationError", 400),
        ({"Action": "UpdateAccessKey", "AccessKeyId": account["access_key"], "Status": "Maybe"}, "ValidationError", 400),
        ({"Action": "ListAccessKey", "MaxItems": 0}, "ValidationError", 400),
        ({"Action": "ListAccessKey", "Marker": ""}, "ValidationError", 400),
        ({"Action": "Frobnicate"}, "InvalidAction", 400),
        ({"Version": "2010-05-08"}, "MissingAction", 400),
    ]
    for params, code, status in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            iam.delete_access_key(Body=encode_params(params))
        assert (error_code(e), e.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), params


def test_non_primary_caller_is_refused(oosd, account):
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    k = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))["CreateAccessKeyResult"]["AccessKey"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam_for(oosd, k["AccessKeyId"], k["SecretAccessKey"]).list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
    assert error_code(e) == "AccessDenied"
    assert "primary" in e.value.response["Error"]["Message"]


def test_sigv2_iam_calls_are_refused_as_iam_does(oosd, account):
    v2 = iam_for(oosd, account["access_key"], account["secret_key"], signature_version="s3")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
    assert error_code(e) == "SignatureDoesNotMatch"
    assert "IAM" in e.value.response["Error"]["Message"]


def test_keys_of_other_accounts_are_invisible(oosd, account):
    other = create_account(oosd, "iam-o-" + uuid.uuid4().hex[:6])
    iam = iam_for(oosd, account["access_key"], account["secret_key"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_access_key(Body=encode_params({"Action": "DeleteAccessKey", "AccessKeyId": other["access_key"]}))
    assert error_code(e) == "NoSuchEntity"


def test_secrets_are_encrypted_at_rest(oosd, account):
    db = sqlite3.connect(str(oosd.data_dir / "meta.sqlite"))
    stored = [r[0] for r in db.execute("select secret from access_keys")]
    assert stored and all(s.startswith("enc1:") for s in stored)
    assert account["secret_key"] not in "".join(stored)
    assert account["secret_key"] not in (oosd.log_path.read_text())


def test_dedicated_iam_listener(fresh_dir):
    import re
    import socket
    from conftest import Oosd
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = fresh_dir / "iam.toml"
    cfg.write_text(f'iam_listen = "127.0.0.1:{port}"\n')
    server = Oosd(fresh_dir / "d", config=cfg).start()
    try:
        import time
        deadline = time.time() + 10
        while time.time() < deadline and not any("IAM API listening" in l for l in server.stdout_lines):
            time.sleep(0.1)
        line = next(l for l in server.stdout_lines if "IAM API listening" in l)
        endpoint = re.search(r"(http://\S+)", line).group(1)
        assert endpoint.endswith(f":{port}")
        import boto3
        from botocore.config import Config
        from conftest import ACCESS_KEY, SECRET_KEY
        iam = boto3.client("oosiam", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                           region_name="cn", config=Config(signature_version="v4", retries={"max_attempts": 1}))
        listed = iam.list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
        assert [m["AccessKeyId"] for m in listed["ListAccessKeysResult"]["AccessKeyMetadata"]] == [ACCESS_KEY]
        v2 = boto3.client("oosiam", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                          region_name="cn", config=Config(signature_version="s3", retries={"max_attempts": 1}))
        with pytest.raises(botocore.exceptions.ClientError) as e:
            v2.list_access_key(Body=encode_params({"Action": "ListAccessKey"}))
        assert error_code(e) == "SignatureDoesNotMatch"
        assert "IAM" in e.value.response["Error"]["Message"]
    finally:
        server.stop()
