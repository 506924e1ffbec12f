"""The one payload codec: ``PLAIN_PAYLOADS`` and ``PayloadCipher`` seal and open, envelopes
keep the format every stored row has (an envelope made before this codec still opens), and
the recorder, the journal's writer and the repositories all go through it (real SQLite)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from pasarela.errors import ConfigurationError
from pasarela.security.crypto import (
    NonceSource,
    PayloadCipher,
    is_envelope,
    master_key,
    unwrap,
)
from pasarela.settings import Settings
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.records import Recorder
from pasarela.telemetry.writer import RecordWriter
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec, RequestContext, VersionId

# An envelope as sealed rows hold it, made once with a fixed master key, data key and nonce:
# whatever the codec becomes, this row must open to ROW.
MASTER = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
WRAPPED = "3507fkHqnS1jl34SUYJHV99p8HRUEvMcTMw-2l4t97DbLttQmg7m_cBVMWRLle5OM8dXo-sm57XseR8B"
STORED = {
    "enc": "aes-256-gcm",
    "kid": "dk_old",
    "nonce": "AAAAAAAAAAAAAAAA",
    "ct": "uFXDOPM6RmP8aMhgBdZ7GU4OVUrIRGSuz2L5p3OT_3BHx87EZeCAw5MI",
}
ROW = [{"age": 41, "city": "Lima"}]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(made)
    yield made
    made.dispose()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cipher_on(engine: sa.Engine, tmp_path: Path, *, sealing: bool = True) -> PayloadCipher:
    settings = Settings(
        home=tmp_path / "home", encrypt_payloads=sealing, master_key=SecretStr(MASTER)
    )
    return PayloadCipher(settings, DataKeyRepository(engine))


def test_the_plain_codec_stores_and_reads_payloads_as_they_are() -> None:
    codec: PayloadCodec = PLAIN_PAYLOADS
    assert codec.seal(ROW) is ROW
    assert codec.open(ROW) is ROW
    assert codec.open(STORED) is STORED  # no key: an envelope is just a value to it


def test_an_envelope_stored_before_opens_to_its_payload(engine: sa.Engine, tmp_path: Path) -> None:
    DataKeyRepository(engine).add("dk_old", WRAPPED, actor="test")
    codec: PayloadCodec = cipher_on(engine, tmp_path)
    assert codec.open(STORED) == ROW
    assert codec.open(ROW) == ROW  # a row stored before sealing was on


def test_sealed_payloads_keep_the_stored_format(engine: sa.Engine, tmp_path: Path) -> None:
    cipher = cipher_on(engine, tmp_path)
    cipher.ensure_key()
    sealed = cipher.seal(ROW)
    assert is_envelope(sealed)
    assert set(sealed) == {"enc", "kid", "nonce", "ct"}
    assert sealed["kid"] == cipher.active
    # what any reader of an old row does: unwrap the data key, AES-GCM with the payload AAD
    record = DataKeyRepository(engine).list()[0]
    key = unwrap(master_key(cipher.settings), record.wrapped)
    plain = AESGCM(key).decrypt(unb64(sealed["nonce"]), unb64(sealed["ct"]), b"pasarela:payload")
    assert plain == orjson.dumps(ROW)
    assert cipher.open(sealed) == ROW
    assert cipher.seal(ROW) != sealed  # a fresh nonce each time


def test_with_sealing_off_the_cipher_stores_in_clear_and_still_opens_old_envelopes(
    engine: sa.Engine, tmp_path: Path
) -> None:
    DataKeyRepository(engine).add("dk_old", WRAPPED, actor="test")
    cipher = cipher_on(engine, tmp_path, sealing=False)
    assert cipher.seal(ROW) is ROW
    assert cipher.open(STORED) == ROW


def test_an_altered_envelope_or_an_unknown_key_does_not_open(
    engine: sa.Engine, tmp_path: Path
) -> None:
    DataKeyRepository(engine).add("dk_old", WRAPPED, actor="test")
    cipher = cipher_on(engine, tmp_path)
    with pytest.raises(ConfigurationError, match="altered"):
        cipher.open({**STORED, "ct": STORED["ct"][:-2] + "AA"})
    with pytest.raises(ConfigurationError, match="unknown data key"):
        cipher.open({**STORED, "kid": "dk_gone"})


def test_sealing_without_a_data_key_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no active data key"):
        cipher_on(engine, tmp_path).seal(ROW)


def test_the_recorder_seals_each_payload_and_the_repository_opens_it(
    engine: sa.Engine, tmp_path: Path
) -> None:
    cipher = cipher_on(engine, tmp_path)
    cipher.ensure_key()
    journal = Journal.open(tmp_path / "journal", max_bytes=1 << 20)
    recorder = Recorder(journal, codec=cipher)
    request = RequestContext(request_id="r1", endpoint="churn")
    assert recorder.record(request, VersionId("churn", 1), "single", "ok", ROW, [1], latency_s=0.1)
    request2 = RequestContext(request_id="r2", endpoint="churn")
    assert recorder.record(request2, VersionId("churn", 1), "single", "x", ROW, None, latency_s=0.1)
    lines, _ = journal.read(10)
    first, second = (orjson.loads(line) for line in lines)
    assert is_envelope(first["inputs"]) and is_envelope(first["outputs"])
    assert is_envelope(second["inputs"]) and second["outputs"] is None  # missing stays missing
    assert "Lima" not in b"".join(lines).decode()

    RecordWriter(
        Journal.attach(journal.directory), TelemetryRepository(engine), codec=cipher
    ).flush_once()
    stored = TelemetryRepository(engine).get_record("r1")  # plain: as the row holds it
    assert stored is not None and is_envelope(stored["inputs"])
    opened = TelemetryRepository(engine, codec=cipher).get_record("r1")
    assert opened is not None and opened["inputs"] == ROW and opened["outputs"] == [1]
    journal.close()


def test_the_recorder_stores_payloads_as_they_are_by_default(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "journal", max_bytes=1 << 20)
    recorder = Recorder(journal)
    request = RequestContext(request_id="r1", endpoint="churn")
    recorder.record(request, VersionId("churn", 1), "single", "ok", ROW, [1], latency_s=0.1)
    (line,), _ = journal.read(10)
    assert orjson.loads(line)["inputs"] == ROW
    journal.close()


def test_nonces_are_twelve_bytes_and_never_repeat_across_refills() -> None:
    source = NonceSource(buffer_bytes=120)  # ten nonces a read: many refills below
    nonces = [source.take() for _ in range(5000)]
    assert all(len(n) == 12 for n in nonces)
    assert len(set(nonces)) == len(nonces)


def test_a_forked_child_never_hands_out_its_parents_buffered_nonces() -> None:
    source = NonceSource()
    source.take()  # the buffer now holds the parent's next nonces
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first nonces go back to the parent
        os.close(read)
        os.write(write, b"".join(source.take() for _ in range(8)))
        os._exit(0)
    os.close(write)
    child = os.read(read, 96)
    os.close(read)
    os.waitpid(pid, 0)
    parent = b"".join(source.take() for _ in range(8))
    assert len(child) == 96
    assert {child[i : i + 12] for i in range(0, 96, 12)}.isdisjoint(
        {parent[i : i + 12] for i in range(0, 96, 12)}
    )
