import { type MmcInput, mmc } from './erlang-c.js';

/**
 * M/D/c, Poisson arrivals and constant service S on c servers: there is no simple closed form for
 * the mean wait, so the model uses Cosmetatos's approximation (G. P. Cosmetatos, "Some approximate
 * equilibrium results for the multi-server queue (M/G/r)", Operational Research Quarterly 27(3),
 * 1976, 615-620; as restated in Tijms, A First Course in Stochastic Models, Wiley, 2003):
 *
 *   Wq(M/D/c) ≈ ½ · Wq(M/M/c) · [1 + (1 − ρ)(c − 1)(√(4 + 5c) − 2) / (16ρc)]
 *
 * At c = 1 the bracket is 1 and the formula is the exact Pollaczek-Khintchine mean wait of M/D/1,
 * ρS / (2(1 − ρ)). For c > 1 it is accurate in heavy traffic and overestimates the wait in light
 * traffic and for many servers (Kimura, "Refining Cosmetatos' approximation for the mean waiting
 * time in the M/D/s queue", J. Oper. Res. Soc. 42(7), 1991). It gives the mean only; percentiles
 * come from the simulator.
 */
export function cosmetatosMeanWait(input: MmcInput): number {
  const c = input.servers;
  const base = mmc(input);
  const rho = base.utilisation;
  const correction = 1 + ((1 - rho) * (c - 1) * (Math.sqrt(4 + 5 * c) - 2)) / (16 * rho * c);
  return 0.5 * base.meanWait * correction;
}
