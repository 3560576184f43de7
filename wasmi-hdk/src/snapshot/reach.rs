//! What code can run during initialisation, and what it may change that a
//! snapshot does not capture.

use wasmparser::Operator;

use super::{SnapshotError, parse::ModuleFacts};

/// Walks every function that can run during initialisation, starting from
/// `roots` (the start function and the initialiser exports).
///
/// A function is reachable through a direct call, or, once any reachable
/// function makes an indirect call (`call_indirect`, `call_ref` and their
/// `return_` forms), through any function that an element segment, a global
/// initialiser or a reachable `ref.func` refers to. Tables only ever hold
/// such functions during initialisation, because the instructions that
/// could put others there are refused.
///
/// Returns the data segments a reachable `data.drop` names, in ascending
/// order.
///
/// # Errors
///
/// [`SnapshotError::TableMutation`] for the first reachable instruction
/// that changes a table or drops an element segment.
pub(super) fn check_init_code(
    facts: &ModuleFacts<'_>,
    roots: &[u32],
) -> Result<Vec<u32>, SnapshotError> {
    let count = facts.func_count() as usize;
    let mut visited = vec![false; count];
    let mut referenced = vec![false; count];
    let mut worklist: Vec<u32> = Vec::new();
    let mut indirect = false;
    let mut dropped: Vec<u32> = Vec::new();

    for &root in roots {
        reach(root, &mut visited, &mut worklist);
    }
    for &func in &facts.referenced_funcs {
        if let Some(flag) = referenced.get_mut(func as usize) {
            *flag = true;
        }
    }

    while let Some(func) = worklist.pop() {
        let Some(body) = facts.body(func) else {
            continue; // An import: host code.
        };
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            let offset = ops.original_position();
            let refused = match ops.read()? {
                Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                    reach(function_index, &mut visited, &mut worklist);
                    None
                }
                Operator::CallIndirect { .. }
                | Operator::ReturnCallIndirect { .. }
                | Operator::CallRef { .. }
                | Operator::ReturnCallRef { .. } => {
                    if !indirect {
                        indirect = true;
                        for (target, &flag) in referenced.iter().enumerate() {
                            if flag {
                                reach(target as u32, &mut visited, &mut worklist);
                            }
                        }
                    }
                    None
                }
                Operator::RefFunc { function_index } => {
                    if let Some(flag) = referenced.get_mut(function_index as usize) {
                        *flag = true;
                    }
                    if indirect {
                        reach(function_index, &mut visited, &mut worklist);
                    }
                    None
                }
                Operator::DataDrop { data_index } => {
                    dropped.push(data_index);
                    None
                }
                Operator::TableSet { .. } => Some("table.set"),
                Operator::TableGrow { .. } => Some("table.grow"),
                Operator::TableFill { .. } => Some("table.fill"),
                Operator::TableCopy { .. } => Some("table.copy"),
                Operator::TableInit { .. } => Some("table.init"),
                Operator::ElemDrop { .. } => Some("elem.drop"),
                _ => None,
            };
            if let Some(instruction) = refused {
                return Err(SnapshotError::TableMutation {
                    instruction,
                    function: func,
                    offset,
                });
            }
        }
    }
    dropped.sort_unstable();
    dropped.dedup();
    Ok(dropped)
}

/// Queues `func` unless it was queued before.
fn reach(func: u32, visited: &mut [bool], worklist: &mut Vec<u32>) {
    if let Some(seen) = visited.get_mut(func as usize)
        && !*seen
    {
        *seen = true;
        worklist.push(func);
    }
}
