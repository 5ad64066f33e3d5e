"""The agent side of a live session (`anthropic` only here, and only lazily).

Modules:

- `tutor.agent.tools`: the five tools an agent may call (`read_file`, `list_files`,
  `write_file`, `edit_file`, `run`), confined to one workspace directory; a package
  split by concern: `schemas` (`TOOL_SCHEMAS`, `WRITE_TOOLS`: the ones that stop at the
  gate), `paths` (the one path confinement, walked openat-style), `files`, `commands`
  (a process group per command, timeout, output cap), `environment` (an allowlist,
  never a secret name), `toolbox` (`Tools`).
- `tutor.agent.sandbox`: bubblewrap for the agent's commands, or the plain word that
  there is none.
- `tutor.agent.processes`: killing a command's process group, now or after a crash.
- `tutor.agent.protocol`: what an agent is to a live session; `tutor.agent.scripted`:
  `ScriptedAgent`, `AgentTurn`, `ToolCall`, an agent that proposes exactly what its
  script says (`tutor build`, demos, tests); `tutor.agent.anthropic_agent`: Claude,
  streaming, with the tools; `tutor.agent.client`: making the SDK client.
- `tutor.agent.session`: a live session's state, a pure fold over its journal;
  `tutor.agent.loop`: the gated loop (propose, gate, run, snapshot, tell the model);
  `tutor.agent.preview`: what a proposed call would do, shown at the gate.
- `tutor.agent.judge`: the Claude judge of free-text answers; `tutor.agent.mentor`: short
  Socratic comments on a goal and on corrections (`comment`, `rules`, `claude`).
- `tutor.agent.demo`: the demo project a scripted session runs in.

Nothing here imports `anthropic` at module level, and this package's `__init__`
imports nothing at all, so that `tutor` starts without loading the SDK.
"""
