package org.example.sonustest;

/** A user's own class outside Sonus, for the recipe allow-list tests. */
public final class UserThing {
  private final int size;

  /** A thing of the given size. */
  public UserThing(int size) {
    this.size = size;
  }

  /** Its size. */
  public int size() {
    return size;
  }
}
