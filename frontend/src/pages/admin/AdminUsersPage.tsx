import { Badge, TextInput } from "@mantine/core";
import { useDebouncedValue, useInputState } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AdjustBalanceDialog } from "./operator/AdjustBalanceDialog";
import { useEffect, useState } from "react";
import { updateUser } from "../../api/auth";
import { keys, queries } from "../../api/queries";
import type { AdminUser } from "../../api/types";
import { useSession } from "../../auth/useSession";
import { AdminList } from "../../components/AdminList";
import { Amount } from "../../components/Amount";
import { type ConfirmOptions, useConfirm } from "../../components/ConfirmDialog";
import { QueryState } from "../../components/LoadError";
import { Screen } from "../../components/Screen";
import { Pager } from "../../components/Pager";
import { showError, showToast } from "../../components/toast";
import { formatDateTime } from "../../lib/format";

const PAGE_SIZE = 100; // the API's largest page
const STATUS_LABEL: Record<number, string> = { 0: "New", 1: "Active", 2: "Banned" };
// The search asks the server (every player, not only this page) once typing pauses.
const SEARCH_DELAY_MS = 250;

type Change = { role?: "player" | "admin"; status?: 0 | 1 | 2 };

/** What an action does, and the question asked before doing it. */
function actionsFor(user: AdminUser, isMe: boolean): { label: string; change: Change; color: string; confirm?: ConfirmOptions }[] {
  const out: { label: string; change: Change; color: string; confirm?: ConfirmOptions }[] = [];
  if (user.status === 2) {
    out.push({ label: "Unban", change: { status: 1 }, color: "teal" });
  } else if (!isMe) {
    out.push({
      label: "Ban",
      change: { status: 2 },
      color: "red",
      confirm: {
        title: "Ban player",
        message: `Ban ${user.user_name}? They are signed out and cannot sign in until unbanned.`,
        confirmLabel: "Ban",
        danger: true,
      },
    });
  }
  if (user.role === "admin" && !isMe) {
    out.push({
      label: "Remove admin",
      change: { role: "player" },
      color: "orange",
      confirm: {
        title: "Remove admin",
        message: `Make ${user.user_name} a player again? They lose access to the admin pages.`,
        confirmLabel: "Remove admin",
        danger: true,
      },
    });
  } else if (user.role !== "admin") {
    out.push({
      label: "Make admin",
      change: { role: "admin" },
      color: "grape",
      confirm: {
        title: "Make admin",
        message: `Make ${user.user_name} an admin? They can change quests, rewards and players.`,
        confirmLabel: "Make admin",
      },
    });
  }
  return out;
}

export function AdminUsersPage() {
  const queryClient = useQueryClient();
  const [adjusting, setAdjusting] = useState<AdminUser | null>(null);
  const state = useSession();
  const myId = state.status === "authenticated" ? state.user.userId : null;
  const [page, setPage] = useState(1);
  const [search, setSearch] = useInputState("");
  const [needle] = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  useEffect(() => setPage(1), [needle]); // a new search starts on its first page
  const users = useQuery(queries.adminUsers({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, search: needle }));
  const [confirm, confirmDialog] = useConfirm();
  const update = useMutation({
    mutationFn: updateUser,
    onSuccess: (user) => {
      showToast({ color: "teal", message: `${user.user_name} updated` });
      void queryClient.invalidateQueries({ queryKey: keys.adminUsers });
    },
    onError: (error) => showError(error),
  });
  const busy = (user: AdminUser) => update.isPending && update.variables?.user_id === user.user_id;

  const run = async (user: AdminUser, action: { change: Change; confirm?: ConfirmOptions }) => {
    if (action.confirm && !(await confirm(action.confirm))) return;
    update.mutate({ user_id: user.user_id, changes: action.change });
  };

  return (
    <Screen title="Players">
      <TextInput
        label="Search players"
        placeholder="Name contains…"
        type="search"
        value={search}
        onChange={setSearch}
        maw={360}
      />
      <QueryState query={users} what="players" />
      {users.data && (
        <>
          <AdminList
            label="Players"
            rows={users.data.data}
            empty={needle ? `No player's name contains “${needle}”.` : "No players yet."}
            rowKey={(user) => user.user_id}
            rowProps={(user) => ({ "data-user-name": user.user_name })}
            columns={[
              // A deleted account's placeholder name is one long word: let it wrap.
              { header: "Name", cell: (user) => <span style={{ overflowWrap: "anywhere" }}>{user.user_name}</span> },
              {
                header: "Role",
                cell: (user) => (
                  <Badge variant="light" color={user.role === "admin" ? "grape" : "blue"}>
                    {user.role}
                  </Badge>
                ),
              },
              {
                header: "Status",
                cell: (user) => (
                  <Badge variant="light" color={user.deleted_at ? "dark" : user.status === 2 ? "red" : "gray"}>
                    {user.deleted_at ? "Deleted" : (STATUS_LABEL[user.status] ?? user.status)}
                  </Badge>
                ),
              },
              {
                header: "Balance",
                cell: (user) => (
                  <>
                    <Amount qty={user.diamond} item="diamond" size={14} /> <Amount qty={user.gold} item="gold" size={14} />
                  </>
                ),
              },
              { header: "Joined", cell: (user) => formatDateTime(user.created_at) },
            ]}
            // A deleted account can no longer be changed (auth answers 409): no buttons.
            actions={(user) => user.deleted_at ? [] : [
              {
                label: "Adjust balance",
                ariaLabel: `Adjust balance of ${user.user_name}`,
                onClick: () => setAdjusting(user),
              },
              ...actionsFor(user, user.user_id === myId).map((action) => ({
                label: action.label,
                ariaLabel: `${action.label} ${user.user_name}`,
                color: action.color,
                loading: busy(user),
                onClick: () => void run(user, action),
              })),
            ]}
          />
          <Pager
            page={page}
            pageSize={PAGE_SIZE}
            count={users.data.count}
            onChange={setPage}
            singular="player"
            plural="players"
          />
        </>
      )}
      {confirmDialog}
      {adjusting && <AdjustBalanceDialog user={adjusting} onClose={() => setAdjusting(null)} />}
    </Screen>
  );
}
