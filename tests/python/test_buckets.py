"""Buckets: naming, ownership, listing, location and emptiness rules."""

import uuid

import botocore
import pytest

from conftest import error_code


def test_create_list_head_delete(s3):
    name = "b-" + uuid.uuid4().hex[:12]
    r = s3.create_bucket(Bucket=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"]
    # The owner creating it again gets 200 (OOS).
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.delete_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("name", ["ab", "UPPER", "-lead", "trail-", "a..b", "192.168.0.1", "under_score", "x" * 64])
def test_invalid_bucket_names(s3, name):
    with pytest.raises((botocore.exceptions.ClientError, botocore.exceptions.ParamValidationError)) as e:
        s3.create_bucket(Bucket=name)
    if isinstance(e.value, botocore.exceptions.ClientError):
        assert error_code(e) == "InvalidBucketName"


def test_delete_non_empty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="x", Body=b"1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert error_code(e) == "BucketNotEmpty"


def test_no_such_bucket(s3):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_objects(Bucket="no-such-bucket-here")
    assert error_code(e) == "NoSuchBucket"


def test_get_bucket_location_is_oos_document(s3, bucket):
    # The OOS model (AWS_DATA_PATH) parses BucketConfiguration.
    loc = s3.get_bucket_location(Bucket=bucket)
    assert "ResponseMetadata" in loc
    assert loc["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_get_regions(s3):
    r = s3.get_regions()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_versioning_answers_unversioned(s3, bucket):
    v = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in v
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(x["Key"], x["VersionId"], x["IsLatest"]) for x in versions] == [("a", "null", True)]


def test_unknown_subresource_is_not_implemented(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_replication(Bucket=bucket)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error_code(e) == "NotImplemented"


def test_anonymous_is_denied(oosd, bucket):
    import urllib.request
    import urllib.error
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{oosd.endpoint}/{bucket}")
    assert e.value.code == 403
    assert b"<Code>AccessDenied</Code>" in e.value.read()


def test_wrong_secret_is_signature_mismatch(oosd, bucket):
    bad = oosd.client("s3v4", secret_key="wrong" * 8)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_objects(Bucket=bucket)
    assert error_code(e) == "SignatureDoesNotMatch"
    bad = oosd.client("s3v4", access_key="AKIDUNKNOWN000000000")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_objects(Bucket=bucket)
    assert error_code(e) == "InvalidAccessKeyId"
