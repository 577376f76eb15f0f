"""Where uniforms come from: keyed pseudo-random streams, scrambled Sobol' points, or fixed quantiles.

Every source answers the same question, ``draw(key, start, stop, columns)``: the uniforms in
(0, 1) for paths ``[start, stop)`` of the stream named by ``key``. Keys say what a stream is
for (``('input', 'pay_award', 'national')``), never where it was declared, and a path
gets the same numbers whatever chunk it is drawn in. With pseudo-random streams, adding,
removing or reordering inputs leaves every other stream untouched; a Sobol' design gives
each stream its own dimensions of one sequence, so there adding a stream moves the others.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np

TINY = 2.0**-53


def stream_key(*parts: str) -> int:
    """A stable 32-bit key for a stream name (``zlib.crc32``; Python's ``hash`` is salted)."""
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


class RandomStreams:
    """Pseudo-random streams: one PCG64 sequence per key, seeded by ``SeedSequence(seed, spawn_key=(key,))``.

    Path ``p`` of a stream drawn with ``c`` columns takes the sequence's numbers
    ``p * c`` to ``p * c + c - 1``; a draw jumps straight there (PCG64 advances in
    logarithmic time), so a path's numbers never depend on the chunk it is drawn in.
    """

    kind = "pseudo_random"

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._initial_states: dict[int, dict] = {}
        self._bit_generator = np.random.PCG64(0)
        self._generator = np.random.Generator(self._bit_generator)

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        """Uniforms of shape ``(stop - start, columns)``, in (0, 1)."""
        spawn = stream_key(*key)
        state = self._initial_states.get(spawn)
        if state is None:
            sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(spawn,))
            state = self._initial_states[spawn] = np.random.PCG64(sequence).state
        self._bit_generator.state = state
        self._bit_generator.advance(start * columns)
        out = self._generator.random((stop - start, columns))
        return np.maximum(out, TINY, out=out)


class SobolStreams:
    """Scrambled Sobol' points: one sequence for the whole run, a block of its dimensions per stream.

    Every stream the run draws (``streams``: key and number of columns) gets its own
    dimensions, in the sorted order of the keys, of a single scrambled Sobol' sequence, so
    the points of different streams are jointly low-discrepancy and independent of each
    other. (Separately scrambled copies of one sequence are not: the first dimension of two
    such copies shares its leading bits, which ties the inputs together.) The balance
    properties hold for a power-of-two number of paths, which the scenario enforces. Unlike
    the pseudo-random streams, adding or removing a stream moves the others' dimensions.

    Parameters
    ----------
    seed : int
    streams : iterable of (key, columns)
        Every stream the run will draw.
    """

    kind = "sobol"

    def __init__(self, seed: int, streams) -> None:
        self.seed = seed
        self.dimensions: dict[tuple[str, ...], tuple[int, int]] = {}
        total = 0
        for key, columns in sorted(set(streams)):
            if key in self.dimensions:
                raise ValueError(f"stream {key} is listed with two numbers of columns")
            self.dimensions[key] = (total, columns)
            total += columns
        self.total_dimensions = total
        self._block: tuple[int, int, np.ndarray] | None = None

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        """Points ``start`` to ``stop`` of the key's dimensions, shape ``(stop - start, columns)``."""
        first, width = self.dimensions.get(key, (None, None))
        if first is None or width != columns:
            raise KeyError(f"stream {key} with {columns} columns is not in this run's Sobol' design")
        if self._block is None or self._block[:2] != (start, stop):
            self._block = (start, stop, self._points(start, stop))
        return self._block[2][:, first: first + columns]

    def _points(self, start: int, stop: int) -> np.ndarray:
        # scipy.stats takes most of a second to import: only a Sobol' run pays for it.
        from scipy.stats import qmc

        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key("sobol"),))
        engine = qmc.Sobol(d=self.total_dimensions, scramble=True, rng=np.random.Generator(np.random.PCG64(sequence)))
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():
            # The run as a whole uses a power of two of points; a chunk of it need not.
            warnings.filterwarnings("ignore", message=".*balance properties of Sobol.*", category=UserWarning)
            points = engine.random(stop - start)
        return np.clip(points, TINY, 1.0 - TINY)


class QuantileSource:
    """Deterministic uniforms: every stream at a fixed quantile chosen by its key.

    Parameters
    ----------
    quantile_for : callable
        ``quantile_for(key) -> float`` in (0, 1); 0.5 everywhere gives the median case.
    """

    kind = "quantile"
    final = True
    """Its uniforms are used as they are: no correlation or persistence is imposed on them."""

    def __init__(self, quantile_for) -> None:
        self.quantile_for = quantile_for

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        return np.full((stop - start, columns), float(self.quantile_for(key)))


class RowQuantiles(QuantileSource):
    """Deterministic uniforms, fixed quantiles chosen for each path: several deterministic cases side by side.

    Path ``i`` gets every stream at ``default`` except the keys of ``rows[i]``, at their
    quantiles: what a :class:`QuantileSource` gives one path at a time, for as many cases
    as there are rows, in one draw (each path's numbers never depend on the others').

    Parameters
    ----------
    rows : sequence of dict of key to float
        One mapping of pinned keys per path.
    default : float
        Quantile of every stream a row does not pin (0.5: the median case).
    """

    def __init__(self, rows, default: float = 0.5) -> None:
        super().__init__(lambda key: default)
        self.rows, self.default = list(rows), default

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        values = np.array([float(row.get(key, self.default)) for row in self.rows[start:stop]])
        return np.repeat(values[:, None], columns, axis=1)


def make_source(method: str, seed: int, streams=()):
    """The uniform source a scenario's ``simulation.sampling`` names; Sobol' needs every ``(key, columns)`` it will draw."""
    return SobolStreams(seed, streams) if method == "sobol" else RandomStreams(seed)


class CachedSource:
    """A source that remembers its draws, so repeated trials on the same paths cost nothing to draw.

    Returned arrays are read-only: a caller that wrote into one would change every later trial.
    """

    def __init__(self, base) -> None:
        self.base = base
        self.kind = getattr(base, "kind", "cached")
        self._draws: dict[tuple, np.ndarray] = {}

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        """The base source's uniforms, shape ``(stop - start, columns)``, drawn once."""
        index = (key, start, stop, columns)
        if index not in self._draws:
            block = np.array(self.base.draw(key, start, stop, columns), dtype=float)
            block.flags.writeable = False
            self._draws[index] = block
        return self._draws[index]



class FinalUniforms(QuantileSource):
    """Input uniforms that already carry the scenario's correlations and persistence, with pins.

    :func:`model.sampling.draws.input_uniforms` hands a :class:`~model.sampling.uniforms.QuantileSource`'s
    draws to the distributions unchanged (no copula, no persistence). This source uses that
    to pin one input's *final* uniform at a quantile in every year while every other input
    keeps exactly the values it has in the base run, correlations included. Pinning the
    raw uniform instead would not fix the input's value (the copula and persistence move
    it) and would move its correlated partners.

    Parameters
    ----------
    base : source
        Where baseline and shock uniforms come from (and any key not pinned).
    finals : dict of str to ndarray (paths, model years)
        :func:`~model.sampling.draws.input_uniforms` of the base source for paths ``[start, start + paths)``.
    start : int
        First path of ``finals``.
    pinned : dict of key to float
        Stream keys held at a quantile in every column.
    """

    kind = "final"

    def __init__(self, base, finals: dict[str, np.ndarray], start: int, pinned: dict[tuple, float]) -> None:
        super().__init__(lambda key: 0.5)
        self.base, self.finals, self.start, self.pinned = base, finals, start, pinned

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        if key in self.pinned:
            return np.full((stop - start, columns), self.pinned[key])
        if key[0] == "input":
            return self.finals[key[1]][start - self.start: stop - self.start]
        return self.base.draw(key, start, stop, columns)



class MatrixSource:
    """Uniforms read from the columns of a design matrix (one row per model evaluation).

    Parameters
    ----------
    matrix : ndarray, shape (evaluations, columns)
    columns_of : dict of key to slice
        Which columns feed each stream key; other keys get 0.5 (they have no spread).
    """

    kind = "design"

    def __init__(self, matrix: np.ndarray, columns_of: dict[tuple, slice]) -> None:
        self.matrix, self.columns_of = matrix, columns_of

    def draw(self, key: tuple[str, ...], start: int, stop: int, columns: int) -> np.ndarray:
        where = self.columns_of.get(key)
        if where is None:
            return np.full((stop - start, columns), 0.5)
        return self.matrix[start:stop, where]
