import { Alert, Badge, Button, Group, Loader, Stack, Table, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { listUsers, updateUser } from "../../api/auth";
import type { User } from "../../api/types";
import { useSession } from "../../auth/useSession";
import { Pager } from "../../components/Pager";
import { formatDateTime } from "../../lib/format";

const PAGE_SIZE = 25;
const STATUS_LABEL: Record<number, string> = { 0: "New", 1: "Active", 2: "Banned" };

export function AdminUsersPage() {
  const queryClient = useQueryClient();
  const state = useSession();
  const myId = state.status === "authenticated" ? state.user.userId : null;
  const [page, setPage] = useState(1);
  const users = useQuery({
    queryKey: ["admin", "users", page],
    queryFn: () => listUsers({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const update = useMutation({
    mutationFn: updateUser,
    onSuccess: (user) => {
      notifications.show({ color: "teal", message: `${user.user_name} updated` });
      void queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
    },
    onError: (error) => notifications.show({ color: "red", message: error.message }),
  });
  const busy = (user: User) => update.isPending && update.variables?.user_id === user.user_id;

  return (
    <Stack>
      <Title order={1} size="h2">
        Players
      </Title>
      {users.isPending && <Loader aria-label="Loading players" />}
      {users.isError && <Alert color="red">Could not load players: {users.error.message}</Alert>}
      {users.data && (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover aria-label="Players">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">💎 / 🪙</Table.Th>
                  <Table.Th scope="col">Joined</Table.Th>
                  <Table.Th scope="col">
                    <span className="sr-only">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.data.map((user) => (
                  <Table.Tr key={user.user_id}>
                    <Table.Td>{user.user_name}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={user.role === "admin" ? "grape" : "blue"}>
                        {user.role}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={user.status === 2 ? "red" : "gray"}>
                        {STATUS_LABEL[user.status] ?? user.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {user.diamond} / {user.gold}
                    </Table.Td>
                    <Table.Td>{formatDateTime(user.created_at)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        {user.status === 2 ? (
                          <Button
                            size="xs"
                            variant="light"
                            loading={busy(user)}
                            onClick={() => update.mutate({ user_id: user.user_id, changes: { status: 1 } })}
                            aria-label={`Unban ${user.user_name}`}
                          >
                            Unban
                          </Button>
                        ) : (
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            loading={busy(user)}
                            disabled={user.user_id === myId}
                            onClick={() => update.mutate({ user_id: user.user_id, changes: { status: 2 } })}
                            aria-label={`Ban ${user.user_name}`}
                          >
                            Ban
                          </Button>
                        )}
                        {user.role !== "admin" && (
                          <Button
                            size="xs"
                            variant="light"
                            color="grape"
                            loading={busy(user)}
                            onClick={() => {
                              if (window.confirm(`Make ${user.user_name} an admin?`)) {
                                update.mutate({ user_id: user.user_id, changes: { role: "admin" } });
                              }
                            }}
                            aria-label={`Make ${user.user_name} admin`}
                          >
                            Make admin
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={PAGE_SIZE} count={users.data.count} onChange={setPage} label="players" />
        </>
      )}
    </Stack>
  );
}
