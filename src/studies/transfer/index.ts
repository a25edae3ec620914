// The cross-lingual transfer study (methods.md §2, §3; docs/transfer.md): a staged
// pipeline run by its own command, `xling transfer <spec>`.
import type { StudyKind } from "../study.js";
import { transferCommands } from "./commands.js";

export const transfer: StudyKind = { name: "transfer", commands: transferCommands };
