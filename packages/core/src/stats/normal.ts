// The standard normal distribution: tails from the chi-square tail (Z² is chi-square with 1 degree
// of freedom, so the existing incomplete-gamma code gives full double precision), and the quantile
// from Acklam's rational approximation refined by one Halley step.
import { chiSquarePValue } from './chi-square.js'

/** P(Z <= z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN
  const tail = 0.5 * chiSquarePValue(z * z, 1)
  return z < 0 ? tail : 1 - tail
}

/** P(|Z| >= |z|): the two-sided p-value of a z statistic. */
export function normalTwoSidedP(z: number): number {
  return Number.isNaN(z) ? NaN : chiSquarePValue(z * z, 1)
}

/** P(Z >= z): the one-sided (upper) p-value of a z statistic. */
export function normalUpperP(z: number): number {
  return 1 - normalCdf(z)
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
const P_LOW = 0.02425

/** The z with P(Z <= z) = p. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN
  let x: number
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p))
    const value =
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
    x = p < P_LOW ? value : -value
  } else {
    const q = p - 0.5
    const r = q * q
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  }
  const error = normalCdf(x) - p
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2)
  return x - u / (1 + (x * u) / 2)
}
