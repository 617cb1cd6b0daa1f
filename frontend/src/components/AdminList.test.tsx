import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { AdminList, type RowAction } from "./AdminList";

interface Row {
  id: string;
  name: string;
  locked: boolean;
}

function renderList(rows: Row[], empty?: string) {
  const onClick = vi.fn();
  const actions = (row: Row): RowAction[] =>
    row.locked ? [] : [{ label: "Edit", ariaLabel: `Edit ${row.name}`, onClick }];
  render(
    <MantineProvider>
      <AdminList
        label="Players"
        rows={rows}
        rowKey={(row) => row.id}
        columns={[{ header: "Name", cell: (row) => row.name }]}
        actions={actions}
        empty={empty}
      />
    </MantineProvider>,
  );
  return onClick;
}

describe("AdminList", () => {
  it("says so in words when there is nothing to list", () => {
    renderList([], "No player's name contains “zed”.");
    expect(screen.getByRole("status")).toHaveTextContent("No player's name contains “zed”.");
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("falls back to a sentence built from its label", () => {
    renderList([]);
    expect(screen.getByRole("status")).toHaveTextContent("No players yet.");
  });

  it("lists the rows, with buttons only where a row has actions", () => {
    renderList([
      { id: "1", name: "ada", locked: false },
      { id: "2", name: "~deleted-1", locked: true },
    ]);
    const table = screen.getByRole("table", { name: "Players" });
    expect(table).toHaveTextContent("ada");
    expect(table).toHaveTextContent("~deleted-1");
    expect(screen.getByRole("button", { name: "Edit ada" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit ~deleted-1" })).not.toBeInTheDocument();
  });
});
