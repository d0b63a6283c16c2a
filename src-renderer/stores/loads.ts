/** Numbers a store's loads, so that an older answer arriving late never replaces a newer one. */
export function loadCounter() {
  let last = 0;
  return {
    /** Starts a load; the function answers whether it is still the newest. */
    start() {
      const mine = ++last;
      return () => mine === last;
    },
    /** Goes on with the newest load (its next page): still current while no other load starts. */
    current() {
      const mine = last;
      return () => mine === last;
    },
  };
}
