// Cross-lingual expert studies, branch-train-merge (methods.md §4): `xling experts ...`.
import type { StudyKind } from "../study.js";
import { expertCommands } from "./commands.js";

export const experts: StudyKind = { name: "experts", commands: expertCommands };
