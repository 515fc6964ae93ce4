//! The column's statistics, as the core's `Sample`.

use crate::pg::varlena_bytes;
use fraiseql_core::jsonb;
use fraiseql_core::where_spec::index::Sample;
use pgrx::pg_sys;
/// The column's statistics (most common values, histogram), held for one estimate and
/// released on drop.
pub(super) struct ColumnStats {
    vardata: pg_sys::VariableStatData,
    mcv: Option<pg_sys::AttStatsSlot>,
    hist: Option<pg_sys::AttStatsSlot>,
    null_frac: f64,
}

impl ColumnStats {
    /// # Safety
    /// `root`, `data` and the ids are the planner's, for the request being answered.
    pub(super) unsafe fn load(
        root: *mut pg_sys::PlannerInfo,
        data: *mut pg_sys::Node,
        var_relid: i32,
        funcid: pg_sys::Oid,
    ) -> Self {
        // SAFETY: the caller's contract; statistics are read through the planner's own
        // routines, and only when the caller may see them (statistic_proc_security_check).
        unsafe {
            let mut c =
                ColumnStats { vardata: pg_sys::VariableStatData::default(), mcv: None, hist: None, null_frac: 0.0 };
            pg_sys::examine_variable(root, data, var_relid, &mut c.vardata);
            if c.vardata.statsTuple.is_null() || !pg_sys::statistic_proc_security_check(&mut c.vardata, funcid) {
                return c;
            }
            let stats = pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_statistic>(c.vardata.statsTuple);
            c.null_frac = (*stats).stanullfrac as f64;
            let slot = |kind: u32, flags: u32| {
                let mut slot = pg_sys::AttStatsSlot::default();
                pg_sys::get_attstatsslot(&mut slot, c.vardata.statsTuple, kind as i32, pg_sys::InvalidOid, flags as i32)
                    .then_some(slot)
            };
            c.mcv = slot(pg_sys::STATISTIC_KIND_MCV, pg_sys::ATTSTATSSLOT_VALUES | pg_sys::ATTSTATSSLOT_NUMBERS);
            c.hist = slot(pg_sys::STATISTIC_KIND_HISTOGRAM, pg_sys::ATTSTATSSLOT_VALUES);
            c
        }
    }

    /// The statistics as jsonb values the core can evaluate a spec on.
    pub(super) fn sample(&self) -> Option<Sample<'_>> {
        if self.mcv.is_none() && self.hist.is_none() {
            return None;
        }
        let mut s = Sample { mcv: Vec::new(), histogram: Vec::new(), null_frac: self.null_frac };
        // SAFETY: the slots hold `nvalues` jsonb datums (and `nnumbers` frequencies) that
        // live until they are freed on drop.
        unsafe {
            if let Some(mcv) = &self.mcv {
                for i in 0..mcv.nvalues.min(mcv.nnumbers) as usize {
                    if let Ok(v) = jsonb::root(varlena_bytes(*mcv.values.add(i))) {
                        s.mcv.push((v, *mcv.numbers.add(i) as f64));
                    }
                }
            }
            if let Some(hist) = &self.hist {
                for i in 0..hist.nvalues as usize {
                    if let Ok(v) = jsonb::root(varlena_bytes(*hist.values.add(i))) {
                        s.histogram.push(v);
                    }
                }
            }
        }
        Some(s)
    }
}

impl Drop for ColumnStats {
    fn drop(&mut self) {
        // SAFETY: frees what `load` obtained, once.
        unsafe {
            for slot in [self.mcv.as_mut(), self.hist.as_mut()].into_iter().flatten() {
                pg_sys::free_attstatsslot(slot);
            }
            if !self.vardata.statsTuple.is_null() {
                if let Some(free) = self.vardata.freefunc {
                    free(self.vardata.statsTuple);
                }
            }
        }
    }
}
