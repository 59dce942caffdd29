#ifndef PLEAT_SCHEMA_PERSISTENT_MAP_H_
#define PLEAT_SCHEMA_PERSISTENT_MAP_H_
// PersistentMap: an ordered map whose copies share their nodes. A copy costs
// O(1); a change copies only the O(log n) nodes on the path to the key, and
// changes in place the nodes no other copy holds (a node's use count is 1). A
// treap whose priorities are hashes of the keys: its shape follows the keys, not
// the order they came in. The virtual schema keeps its tables and names in these,
// so copying a schema for each operation of a file costs O(log n), not O(n).
// PersistentSet is the same with keys only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pleat::schema {

namespace persistent {

inline uint64_t Mix(uint64_t x) {  // splitmix64: spreads sequential keys over the priorities
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
inline uint64_t Priority(uint64_t key) { return Mix(key); }
inline uint64_t Priority(const std::string& key) { return Mix(std::hash<std::string>{}(key)); }
inline uint64_t Priority(const std::pair<std::string, std::string>& key) {
  return Mix(Priority(key.first) ^ std::hash<std::string>{}(key.second));
}

}  // namespace persistent

template <typename K, typename V>
class PersistentMap {
  struct Node {
    K key;
    V value;
    uint64_t priority;
    std::shared_ptr<Node> left, right;
  };
  using Ptr = std::shared_ptr<Node>;

 public:
  // In key order. Holds the path to the current node: valid while the map is unchanged.
  class const_iterator {
   public:
    const_iterator() = default;
    explicit const_iterator(const Node* root) { Descend(root); }
    const K& key() const { return path_.back()->key; }
    const V& operator*() const { return path_.back()->value; }
    const V* operator->() const { return &path_.back()->value; }
    const_iterator& operator++() {
      const Node* n = path_.back();
      path_.pop_back();
      Descend(n->right.get());
      return *this;
    }
    bool operator==(const const_iterator& o) const {
      return path_.empty() ? o.path_.empty() : !o.path_.empty() && path_.back() == o.path_.back();
    }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    void Descend(const Node* n) {
      for (; n; n = n->left.get()) path_.push_back(n);
    }
    std::vector<const Node*> path_;
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(root_.get()); }
  const_iterator end() const { return const_iterator(); }
  bool contains(const K& key) const { return Find(key) != nullptr; }

  const V* Find(const K& key) const {
    for (const Node* n = root_.get(); n; n = key < n->key ? n->left.get() : n->right.get())
      if (!(n->key < key) && !(key < n->key)) return &n->value;
    return nullptr;
  }
  // The value under `key`, to change: the path to it is copied where another
  // map shares it. Null when absent. Valid until the map changes otherwise.
  V* FindMutable(const K& key) {
    if (!Find(key)) return nullptr;
    Ptr* slot = &root_;
    for (;;) {
      Node* n = Own(slot);
      if (key < n->key) {
        slot = &n->left;
      } else if (n->key < key) {
        slot = &n->right;
      } else {
        return &n->value;
      }
    }
  }
  // Inserts unless `key` is present; true when inserted.
  bool Insert(const K& key, V value) {
    if (Find(key)) return false;
    uint64_t priority = persistent::Priority(key);
    root_ = Insert(std::move(root_), std::make_shared<Node>(Node{key, std::move(value), priority, nullptr, nullptr}));
    ++size_;
    return true;
  }
  // True when `key` was present.
  bool Erase(const K& key) {
    if (!Find(key)) return false;
    root_ = Erase(std::move(root_), key);
    --size_;
    return true;
  }

 private:
  // The node in *slot, copied first when another map holds it too.
  static Node* Own(Ptr* slot) {
    if (slot->use_count() > 1) *slot = std::make_shared<Node>(**slot);
    return slot->get();
  }
  // Splits `p` into the keys below `key` and those above it (`key` is absent).
  static void Split(Ptr p, const K& key, Ptr* below, Ptr* above) {
    if (!p) {
      below->reset();
      above->reset();
      return;
    }
    Node* n = Own(&p);
    if (n->key < key) {
      Split(std::move(n->right), key, &n->right, above);
      *below = std::move(p);
    } else {
      Split(std::move(n->left), key, below, &n->left);
      *above = std::move(p);
    }
  }
  // Every key of `a` is below every key of `b`.
  static Ptr Merge(Ptr a, Ptr b) {
    if (!a) return b;
    if (!b) return a;
    if (a->priority > b->priority) {
      Node* n = Own(&a);
      n->right = Merge(std::move(n->right), std::move(b));
      return a;
    }
    Node* n = Own(&b);
    n->left = Merge(std::move(a), std::move(n->left));
    return b;
  }
  static Ptr Insert(Ptr p, Ptr node) {
    if (!p) return node;
    if (node->priority > p->priority) {
      Split(std::move(p), node->key, &node->left, &node->right);
      return node;
    }
    Node* n = Own(&p);
    if (node->key < n->key) {
      n->left = Insert(std::move(n->left), std::move(node));
    } else {
      n->right = Insert(std::move(n->right), std::move(node));
    }
    return p;
  }
  static Ptr Erase(Ptr p, const K& key) {
    if (key < p->key) {
      Node* n = Own(&p);
      n->left = Erase(std::move(n->left), key);
      return p;
    }
    if (p->key < key) {
      Node* n = Own(&p);
      n->right = Erase(std::move(n->right), key);
      return p;
    }
    if (p.use_count() == 1) return Merge(std::move(p->left), std::move(p->right));
    return Merge(p->left, p->right);
  }

  Ptr root_;
  size_t size_ = 0;
};

template <typename K>
class PersistentSet {
 public:
  size_t size() const { return map_.size(); }
  size_t count(const K& key) const { return map_.contains(key) ? 1 : 0; }
  bool insert(const K& key) { return map_.Insert(key, Empty{}); }
  bool erase(const K& key) { return map_.Erase(key); }
  // Every key, in order.
  template <typename F>
  void ForEach(F f) const {
    for (auto it = map_.begin(); it != map_.end(); ++it) f(it.key());
  }

 private:
  struct Empty {};
  PersistentMap<K, Empty> map_;
};

}  // namespace pleat::schema

#endif  // PLEAT_SCHEMA_PERSISTENT_MAP_H_
