// Special functions behind the drift tests' p-values: log-gamma, the regularized upper incomplete
// gamma (chi-squared survival), erfc / the normal CDF, and the Kolmogorov-Smirnov distributions
// (scipy.special.smirnov and scipy.stats.kstwo.sf, following scipy 1.10's _ksstats.py).
// Pure functions over numbers; no allocation in the hot paths except the small DMTW matrices.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation, g = 607/128, 15 terms (Godfrey's coefficients): ~1e-15 relative.
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
  -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4,
  0.15808870322491248884e-3, -0.21026444172410488319e-3, 0.2174396181152126432e-3, -0.16431810653676389022e-3,
  0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];

/**
 * The natural log of the gamma function for x > 0 (Stirling's series from x = 10, Lanczos below).
 *
 * @example
 * ```ts
 * import { logGamma } from 'mlship/monitor';
 * logGamma(5); // Math.log(24)
 * ```
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  if (x >= 10) {
    const r = 1 / x;
    const r2 = r * r;
    const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
    return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + series;
  }
  const z = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const TINY = 1e-300;

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), as
 * `scipy.special.gammaincc`: a power series for x < a + 1 (Q = 1 − P), Lentz's continued fraction
 * otherwise (Numerical Recipes §6.2). The chi-squared survival function is `gammaincc(k / 2, x / 2)`.
 *
 * @example
 * ```ts
 * import { gammaincc } from 'mlship/monitor';
 * gammaincc(1, 2); // Math.exp(-2)
 * ```
 */
export function gammaincc(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0) || Number.isNaN(x)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)...(a+n))
    let ap = a;
    let term = 1 / a;
    let sum = term;
    for (let n = 0; n < 10000; n++) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Continued fraction for Q(a, x), modified Lentz.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(logPrefix) * h;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The complementary error function: for x < 2 as 1 − erf(x) from the all-positive series
 * erf(x) = 2/√π · e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)); from 2 on by its continued fraction.
 * Absolute error below 1e-16.
 *
 * @example
 * ```ts
 * import { erfc } from 'mlship/monitor';
 * erfc(0); // 1
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * EPS) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), Lentz.
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const an = k / 2;
    d = x + an * d;
    if (d === 0) d = TINY;
    c = x + an / c;
    if (c === 0) c = TINY;
    d = 1 / d;
    const del = c * d;
    f *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * The standard normal CDF, computed as `scipy.special.ndtr` does: from erf near 0, from erfc in
 * the tails.
 *
 * @example
 * ```ts
 * import { normalCdf } from 'mlship/monitor';
 * normalCdf(1.959963984540054); // ≈ 0.975
 * ```
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x) * Math.SQRT1_2;
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * (1 - erfc(x * Math.SQRT1_2));
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

function logChoose(n: number, k: number, lgN: number): number {
  return lgN - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * The one-sided Kolmogorov-Smirnov survival function P(Dₙ⁺ ≥ x) (scipy.special.smirnov), by the
 * exact Birnbaum-Tingey sum evaluated in log space (all terms are positive); for n > 1,000,000 by
 * the approximation exp(−(6nx+1)² / 18n), as scipy's cephes does.
 *
 * @example
 * ```ts
 * import { smirnov } from 'mlship/monitor';
 * smirnov(1, 0.5); // 0.5
 * ```
 */
export function smirnov(n: number, x: number): number {
  if (!(n > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (n > 1_000_000) return Math.exp(-Math.pow(6 * n * x + 1, 2) / 18 / n);
  const jmax = Math.floor(n * (1 - x));
  const lgN = logGamma(n + 1);
  // One pass for the log-terms (log C(n, j) updated by a ratio, refreshed from logGamma every 256
  // steps), then the sum scaled by the largest term.
  const logs = new Float64Array(jmax + 1);
  let maxLog = -Infinity;
  let logC = 0;
  for (let j = 0; j <= jmax; j++) {
    logC = (j & 255) === 0 ? logChoose(n, j, lgN) : logC + Math.log((n - j + 1) / j);
    const upper = (n - j - n * x) / n; // 1 - x - j/n
    const l = upper <= 0 ? (n - j > 0 ? -Infinity : 0) : logC + (n - j) * Math.log(upper) + (j - 1) * Math.log(x + j / n);
    logs[j] = l;
    if (l > maxLog) maxLog = l;
  }
  if (maxLog === -Infinity) return 0;
  let sum = 0;
  for (let j = 0; j <= jmax; j++) {
    const d = logs[j]! - maxLog;
    if (d > -745) sum += Math.exp(d);
  }
  const p = x * sum * Math.exp(maxLog);
  return Math.min(1, Math.max(0, p));
}

const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const t = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * t + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

const EP128 = Math.pow(2, 128);
const EM128 = Math.pow(2, -128);

/** Pr(Dₙ ≤ d) by the Durbin matrix (Marsaglia-Tsang-Wang), as scipy's `_kolmogn_DMTW`. */
function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  const tt = Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1 + tt) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  const tmp = new Float64Array(m * m);
  const matmul = (A: Float64Array, B: Float64Array): Float64Array => {
    tmp.fill(0);
    for (let i = 0; i < m; i++)
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l]!;
        if (a === 0) continue;
        for (let j = 0; j < m; j++) tmp[i * m + j]! += a * B[l * m + j]!;
      }
    return Float64Array.from(tmp);
  };
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      P = matmul(P, H);
      expnt += hExpnt;
    }
    H = matmul(H, H);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p *= Math.pow(2, expnt);
  return p;
}

const PI2 = Math.PI * Math.PI;
const PI4 = PI2 * PI2;
const PI6 = PI4 * PI2;
const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Pr(Dₙ ≤ x) by the Pelz-Good approximation, as scipy's `_kolmogn_PelzGood`. */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let K0 = 0;
  let K1 = 0;
  let K2 = 0;
  let K3 = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    K0 = K0 * qp + 1;
    K1 = K1 * qp + (k1a + k1b * m2);
    K2 = K2 * qp + (k2a + k2b * m2 + k2c * m4);
    K3 = K3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const s = q * SQRT2PI;
  K0 = (K0 * s) / z;
  K1 = (K1 * s) / (6 * z4);
  K2 = (K2 * s) / (72 * z ** 7);
  K3 = (K3 * s) / (6480 * z ** 10);
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = Math.pow(q, k2);
    k2extra += k2 * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K2 += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K3 += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  return K0 + K1 / Math.sqrt(n) + K2 / n + K3 / Math.pow(n, 1.5);
}

const clip01 = (p: number): number => Math.min(1, Math.max(0, p));

/**
 * The survival function of the two-sided one-sample Kolmogorov-Smirnov statistic,
 * P(Dₙ ≥ x) = `scipy.stats.kstwo.sf(x, n)`, with scipy 1.10's choice of method (Simard &
 * L'Ecuyer): Ruben-Gambino near the ends, 2·smirnov for large n·x², the Durbin matrix or the
 * Pelz-Good approximation otherwise. Where scipy uses Pomeranz's exact recursion (n ≤ 140) this
 * uses the Durbin matrix, which is exact as well.
 *
 * @example
 * ```ts
 * import { kolmogorovSf } from 'mlship/monitor';
 * kolmogorovSf(100, 0.2); // ≈ 0.000518
 * ```
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip01(2 * smirnov(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip01(1 - kolmogorovCdfDurbin(n, x));
    return clip01(2 * smirnov(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnov(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100000 && n * Math.pow(x, 1.5) <= 1.4) cdf = kolmogorovCdfDurbin(n, x);
  else cdf = kolmogorovCdfPelzGood(n, x);
  return clip01(1 - cdf);
}
