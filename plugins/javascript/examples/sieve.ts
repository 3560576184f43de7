// A module of the TypeScript example: esbuild bundles it into the plugin's
// one script.

/** The number of primes <= `limit`, from a byte-array sieve. */
export function countPrimes(limit: number): number {
  const composite = new Uint8Array(limit + 1);
  for (let i = 2; i * i <= limit; i++) {
    if (composite[i]) continue;
    for (let j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  let primes = 0;
  for (let i = 2; i <= limit; i++) if (!composite[i]) primes++;
  return primes;
}
