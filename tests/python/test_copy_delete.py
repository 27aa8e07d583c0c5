"""CopyObject and DeleteObjects."""

import hashlib

import botocore
import pytest

from conftest import error_code


@pytest.fixture(params=["s3v4", "s3"])
def client(request, oosd):
    return oosd.client(request.param)


def test_copy_keeps_metadata_by_default(client, bucket):
    client.put_object(Bucket=bucket, Key="src key+1", Body=b"payload", ContentType="text/x", Metadata={"m": "1"})
    r = client.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src key+1"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"payload").hexdigest()
    h = client.head_object(Bucket=bucket, Key="dst")
    assert h["ContentType"] == "text/x"
    assert h["Metadata"] == {"m": "1"}
    assert client.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"payload"


def test_copy_replace_and_self_copy(client, bucket):
    client.put_object(Bucket=bucket, Key="s", Body=b"x" * 70000, Metadata={"old": "1"})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.copy_object(Bucket=bucket, Key="s", CopySource=f"{bucket}/s")
    assert error_code(e) == "InvalidRequest"
    client.copy_object(Bucket=bucket, Key="s", CopySource=f"{bucket}/s", MetadataDirective="REPLACE",
                       Metadata={"new": "2"}, ContentType="text/y")
    h = client.head_object(Bucket=bucket, Key="s")
    assert h["Metadata"] == {"new": "2"}
    assert h["ContentType"] == "text/y"
    assert client.get_object(Bucket=bucket, Key="s")["Body"].read() == b"x" * 70000


def test_copy_source_conditions(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"1")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/c", CopySourceIfMatch='"nope"')
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/c", CopySourceIfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/c", CopySourceIfMatch=etag)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=f"{bucket}/missing")
    assert error_code(e) == "NoSuchKey"


def test_delete_objects(client, bucket):
    for k in ["a", "b", "c"]:
        client.put_object(Bucket=bucket, Key=k, Body=b"1")
    r = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "never"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["a", "b", "never"]
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]
    r = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in r
    assert client.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_limits(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": str(i)} for i in range(1001)]})
    assert error_code(e) == "MalformedXML"
