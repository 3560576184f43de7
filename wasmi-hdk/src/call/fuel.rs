//! Fuel: slices put in the store, and what the call consumed.

use wasmi::Store;

use super::InstanceState;
use crate::{Error, Limits};

/// Gives the instance fuel one slice at a time and counts what it used.
#[derive(Debug)]
pub(crate) struct FuelMeter {
    budget: Option<u64>,
    slice: u64,
    /// Fuel put in the store at the last refill.
    given: u64,
    /// Fuel consumed before the last refill.
    spent: u64,
}

impl FuelMeter {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            budget: limits.fuel(),
            slice: limits.fuel_slice(),
            given: 0,
            spent: 0,
        }
    }

    /// The budget, if any.
    pub(crate) fn budget(&self) -> Option<u64> {
        self.budget
    }

    /// Puts exactly `fuel` in the store.
    pub(crate) fn set(&mut self, store: &mut Store<InstanceState>, fuel: u64) {
        // Fuel metering is always on in our engine config, so this cannot fail.
        let _ = store.set_fuel(fuel);
        self.given = fuel;
    }

    /// Fuel the engine took out of the store so far.
    fn burnt(&self, store: &Store<InstanceState>) -> u64 {
        let left = store.get_fuel().unwrap_or(0);
        self.spent + self.given.saturating_sub(left)
    }

    /// Fuel the call used: what the engine took, plus what WASI calls
    /// charged beyond the fuel left in their slice.
    pub(crate) fn consumed(&self, store: &Store<InstanceState>) -> u64 {
        self.burnt(store)
            .saturating_add(store.data().fuel_overdraft)
    }

    /// Puts the next slice of fuel in the store, at least `required`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfFuel`] when the budget cannot cover `required`.
    pub(crate) fn refill(
        &mut self,
        store: &mut Store<InstanceState>,
        required: u64,
    ) -> Result<(), Error> {
        let consumed = self.consumed(store);
        self.spent = self.burnt(store);
        let want = self.slice.max(required);
        let give = match self.budget {
            None => want,
            Some(budget) => {
                let left = budget.saturating_sub(consumed);
                if left == 0 || left < required {
                    return Err(Error::OutOfFuel { budget });
                }
                want.min(left)
            }
        };
        self.set(store, give);
        Ok(())
    }
}
